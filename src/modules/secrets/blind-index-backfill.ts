import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { inTransaction } from '../../infra/database/transactions';
import { normaliseEmail } from '../../infra/validation/normalise';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from './encryption.provider';
import { SecretsError, SecretsErrorCode } from './secrets.errors';

/** A tenant-scoped blind index added to rows that existed before it: filled from the row's own ciphertext. */
export interface BlindIndexFill {
  table: string;
  /** Holds the value, encrypted in the row's tenant context. */
  ciphertextColumn: string;
  /** NULL where it is missing; filled with the HMAC of tenant id + normalised value. */
  indexColumn: string;
}

/**
 * What `fill` looks for. A migration cannot compute an HMAC (the key is in
 * Vault), so a migration that adds such an index adds a line here; writes fill
 * the column from then on.
 */
export const BLIND_INDEX_FILLS: readonly BlindIndexFill[] = [
  // Migration 1764900000000: employees' e-mail, for filter[email] (the login keeps its global index).
  { table: 'users', ciphertextColumn: 'email_ciphertext', indexColumn: 'email_tenant_index' },
];

const PAGE = 200;

interface Row {
  tenant: string;
  id: string;
  ciphertext: string;
}

/**
 * Fills missing tenant-scoped e-mail indexes, run by the key-rotation job's pass
 * (same schedule, same per-database lock): a page of rows at a time, one
 * decrypt and one HMAC call per tenant in the page, each update only if the row
 * still holds what was read. Plaintext stays in this process and is never
 * logged; a value that does not decrypt is left (logged by row) and counted.
 */
@Injectable()
export class BlindIndexBackfill {
  private readonly logger = new Logger(BlindIndexBackfill.name);

  constructor(@Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider) {}

  /** Rejects with `SecretsError` Unavailable when Vault is; the next pass goes on. */
  async fill(db: DataSource): Promise<{ filled: number; failed: number }> {
    let filled = 0;
    let failed = 0;
    for (const fill of BLIND_INDEX_FILLS) {
      if (!db.entityMetadatas.some((m) => m.tableName === fill.table)) continue;
      let after: [string, string] = ['', ''];
      for (;;) {
        const rows = await this.missing(db, fill, after);
        if (!rows.length) break;
        after = [rows[rows.length - 1].tenant, rows[rows.length - 1].id];
        for (const tenant of new Set(rows.map((r) => r.tenant))) {
          const result = await this.tenantRows(db, fill, tenant, rows.filter((r) => r.tenant === tenant));
          filled += result.filled;
          failed += result.failed;
        }
      }
    }
    if (filled || failed) this.logger.log(`Blind indexes filled: ${filled}; ${failed} value(s) that do not decrypt left without one.`);
    return { filled, failed };
  }

  private missing(db: DataSource, fill: BlindIndexFill, [tenant, id]: [string, string]): Promise<Row[]> {
    const q = (name: string) => db.driver.escape(name);
    return db.query(
      `SELECT ${q('tenant_id')} AS tenant, ${q('id')} AS id, ${q(fill.ciphertextColumn)} AS ciphertext FROM ${q(fill.table)} ` +
        `WHERE ${q(fill.indexColumn)} IS NULL AND ${q(fill.ciphertextColumn)} IS NOT NULL ` +
        `AND (${q('tenant_id')} > ? OR (${q('tenant_id')} = ? AND ${q('id')} > ?)) ORDER BY ${q('tenant_id')}, ${q('id')} LIMIT ${PAGE}`,
      [tenant, tenant, id],
    );
  }

  private async tenantRows(db: DataSource, fill: BlindIndexFill, tenant: string, rows: Row[]): Promise<{ filled: number; failed: number }> {
    let failed = 0;
    let plaintexts: string[] | undefined;
    while (rows.length && !plaintexts) {
      try {
        plaintexts = await this.encryption.decrypt(tenant, rows.map((r) => r.ciphertext));
      } catch (error) {
        const index = error instanceof SecretsError && error.code === SecretsErrorCode.CiphertextInvalid ? (error.meta?.index as number | undefined) : undefined;
        if (index === undefined || !rows[index]) throw error;
        this.logger.warn(`Blind index: ${fill.table}.${fill.ciphertextColumn} of tenant ${tenant} row ${rows[index].id} does not decrypt; left without an index.`);
        rows = rows.filter((_, i) => i !== index);
        failed++;
      }
    }
    if (!plaintexts) return { filled: 0, failed };
    const indexes = await this.encryption.blindIndex(tenant, plaintexts.map(normaliseEmail));
    const q = (name: string) => db.driver.escape(name);
    const sql =
      `UPDATE ${q(fill.table)} SET ${q(fill.indexColumn)} = ? ` +
      `WHERE ${q('tenant_id')} = ? AND ${q('id')} = ? AND ${q(fill.indexColumn)} IS NULL AND ${q(fill.ciphertextColumn)} = ?`;
    const filled = await inTransaction(db, async (em) => {
      let written = 0;
      for (const [i, row] of rows.entries()) {
        const result = await em.queryRunner!.query(sql, [indexes[i], tenant, row.id, row.ciphertext], true);
        if (Number(result.affected ?? 0) > 0) written++;
      }
      return written;
    });
    return { filled, failed };
  }
}
