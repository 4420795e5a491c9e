import type { DataSource } from 'typeorm';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import type { TestApp } from './app-harness';

/** The catalog and every shard of the booted app, by name (`catalog`, `shard:<id>`). */
export async function allDatabases(t: TestApp): Promise<Array<[string, DataSource]>> {
  const shards = t.app.get(ShardRegistry);
  const list: Array<[string, DataSource]> = [['catalog', t.app.get(CatalogDatabase).dataSource]];
  for (const id of shards.ids()) list.push([`shard:${id}`, await shards.dataSource(id)]);
  return list;
}

/** Every table of the database, as the database lists them (information_schema / sqlite_master), not as the entities do. */
export async function tableNames(db: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> =
    db.options.type === 'mysql'
      ? await db.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")
      : await db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return rows.map((r) => r.name).sort();
}

export async function columnNames(db: DataSource, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> =
    db.options.type === 'mysql'
      ? await db.query('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?', [table])
      : await db.query(`PRAGMA table_info(${db.driver.escape(table)})`);
  return rows.map((r) => r.name);
}

/** Every row of every table, each value as text (binary values both as UTF-8 and hex). */
export async function dumpDatabase(db: DataSource): Promise<Array<{ table: string; rows: string[][] }>> {
  const tables = [];
  for (const table of await tableNames(db)) {
    const rows: Array<Record<string, unknown>> = await db.query(`SELECT * FROM ${db.driver.escape(table)}`);
    tables.push({ table, rows: rows.map((row) => Object.values(row).flatMap(asText)) });
  }
  return tables;
}

function asText(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('utf8'), Buffer.from(value).toString('hex')];
  if (value instanceof Date) return [value.toISOString()];
  return [String(value)];
}

/**
 * The forms a plaintext could take in storage without being encrypted: as is,
 * and base64-encoded at each of the three alignments (the stable middle of each,
 * so it matches inside a longer base64 string too).
 */
export function plaintextForms(plaintext: string): string[] {
  const forms = [plaintext];
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.from(`${'\0'.repeat(pad)}${plaintext}`).toString('base64');
    forms.push(encoded.slice(pad ? 4 : 0, -4));
  }
  return forms.filter((f) => f.length >= 8);
}
