import type { DataSource } from 'typeorm';

/** A table holding ciphertexts, as the key-rotation job and the status command see it. */
export interface CiphertextTable {
  /** Database name of the table. */
  table: string;
  /** `tenant_id`: the derivation context of every ciphertext in the row. */
  tenantColumn: string;
  /** The other primary key columns, in key order: they name a row within its tenant. */
  keyColumns: string[];
  /** Every column named `*_ciphertext`. */
  columns: string[];
}

export const CIPHERTEXT_SUFFIX = '_ciphertext';
const TENANT_COLUMN = 'tenant_id';

/**
 * The tables of `dataSource` with encrypted columns, found by convention rather
 * than registration: every entity column whose database name ends in
 * `_ciphertext`. A new sensitive column is rewrapped on rotation without anyone
 * listing it. Such a table must have `tenant_id` first in its primary key (the
 * design's rule for tenant-owned tables); one without is an error here, at
 * start, not a column silently left on an old key.
 *
 * @example
 * ciphertextTables(catalog.dataSource) // [{ table: 'users', columns: ['email_ciphertext', 'name_ciphertext'], ... }]
 */
export function ciphertextTables(dataSource: DataSource): CiphertextTable[] {
  const tables: CiphertextTable[] = [];
  for (const entity of dataSource.entityMetadatas) {
    const columns = entity.columns.map((c) => c.databaseName).filter((name) => name.endsWith(CIPHERTEXT_SUFFIX));
    if (!columns.length) continue;
    const primary = entity.primaryColumns.map((c) => c.databaseName);
    if (primary[0] !== TENANT_COLUMN || primary.length < 2) {
      throw new Error(
        `${entity.tableName} has encrypted columns but its primary key does not start with ${TENANT_COLUMN}: ` +
          'the key-rotation job needs the tenant id (the encryption context) and a row key.',
      );
    }
    tables.push({ table: entity.tableName, tenantColumn: TENANT_COLUMN, keyColumns: primary.slice(1), columns: columns.sort() });
  }
  return tables.sort((a, b) => a.table.localeCompare(b.table));
}
