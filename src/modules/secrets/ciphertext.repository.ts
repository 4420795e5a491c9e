import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '../../infra/database/transactions';
import { FENCE_CLOSED, inFencedTransaction } from '../../infra/tenancy/tenant-fence';
import type { CiphertextTable } from './ciphertext-columns';

/** One row with values behind the newest key version: its key within the tenant and its ciphertexts by column. */
export interface CiphertextRow {
  key: string[];
  values: Record<string, string | null>;
}

/** A value to replace, only if it still holds what was read (a user may have written meanwhile). */
export interface CiphertextChange {
  key: string[];
  column: string;
  from: string;
  to: string;
}

/**
 * Plain SQL over the tables `ciphertextTables` finds, for the key-rotation job:
 * counts and pages of ciphertexts that do not start with the current version's
 * prefix, and conditional updates. It works below the request context on
 * purpose (a maintenance job over every tenant of a database), but every page
 * and every update is for one tenant. Identifiers come from entity metadata,
 * never from input. Updates leave `updated_at` alone: the data did not change,
 * and devices' change feeds must not resend every row after a rotation.
 */
@Injectable()
export class CiphertextRepository {
  /** Values of `table` not yet on `prefix`, summed over its encrypted columns. */
  async countBehind(db: DataSource, t: CiphertextTable, prefix: string): Promise<number> {
    let total = 0;
    for (const column of t.columns) {
      const [row] = await db.query(`SELECT COUNT(*) AS n FROM ${q(db, t.table)} WHERE ${behind(db, column)}`, [`${prefix}%`]);
      total += Number(row.n);
    }
    return total;
  }

  async tenantsBehind(db: DataSource, t: CiphertextTable, prefix: string): Promise<string[]> {
    const [where, params] = anyBehind(db, t, prefix);
    const rows: Array<{ tenant: string }> = await db.query(
      `SELECT DISTINCT ${q(db, t.tenantColumn)} AS tenant FROM ${q(db, t.table)} WHERE ${where} ORDER BY ${q(db, t.tenantColumn)}`,
      params,
    );
    return rows.map((r) => String(r.tenant));
  }

  /** The next `limit` rows of `tenantId` behind `prefix`, in key order after the row keyed `after`. */
  async rowsBehind(db: DataSource, t: CiphertextTable, prefix: string, tenantId: string, after: string[] | null, limit: number): Promise<CiphertextRow[]> {
    const [where, params] = anyBehind(db, t, prefix);
    const [keyset, keyParams] = after ? afterKey(db, t.keyColumns, after) : ['1 = 1', []];
    const select = [...t.keyColumns, ...t.columns].map((c) => q(db, c)).join(', ');
    const order = t.keyColumns.map((c) => q(db, c)).join(', ');
    const rows: Array<Record<string, unknown>> = await db.query(
      `SELECT ${select} FROM ${q(db, t.table)} WHERE ${q(db, t.tenantColumn)} = ? AND (${where}) AND (${keyset}) ORDER BY ${order} LIMIT ${Number(limit)}`,
      [tenantId, ...params, ...keyParams],
    );
    return rows.map((row) => ({
      key: t.keyColumns.map((c) => String(row[c])),
      values: Object.fromEntries(t.columns.map((c) => [c, row[c] === null || row[c] === undefined ? null : String(row[c])])),
    }));
  }

  /**
   * Writes the changes of one tenant in one transaction, each value only where
   * it still is the one read. Resolves how many it wrote. On a shard (`fenced`)
   * the transaction passes the tenant's write fence: while a move has it closed,
   * nothing is written and it resolves `FENCE_CLOSED`.
   */
  async replace(db: DataSource, t: CiphertextTable, tenantId: string, changes: readonly CiphertextChange[], fenced: boolean): Promise<number | typeof FENCE_CLOSED> {
    const keys = [t.tenantColumn, ...t.keyColumns].map((c) => `${q(db, c)} = ?`).join(' AND ');
    const write = async (em: EntityManager) => {
      let written = 0;
      for (const change of changes) {
        const column = q(db, change.column);
        const sql = `UPDATE ${q(db, t.table)} SET ${column} = ? WHERE ${keys} AND ${column} = ?`;
        const result = await em.queryRunner!.query(sql, [change.to, tenantId, ...change.key, change.from], true);
        if (Number(result.affected ?? 0) > 0) written++;
      }
      return written;
    };
    return fenced ? inFencedTransaction(db, tenantId, write) : inTransaction(db, write);
  }
}

const q = (db: DataSource, identifier: string) => db.driver.escape(identifier);

/** Needs one parameter: the prefix with a trailing `%`. The prefixes (`vault:v3:`) hold no LIKE wildcard. */
const behind = (db: DataSource, column: string) => `${q(db, column)} IS NOT NULL AND ${q(db, column)} NOT LIKE ?`;

function anyBehind(db: DataSource, t: CiphertextTable, prefix: string): [string, string[]] {
  return [t.columns.map((c) => `(${behind(db, c)})`).join(' OR '), t.columns.map(() => `${prefix}%`)];
}

/** Rows whose key comes after `after` in key order: (k1 > a1) OR (k1 = a1 AND k2 > a2) ... */
function afterKey(db: DataSource, columns: readonly string[], after: readonly string[]): [string, string[]] {
  const terms: string[] = [];
  const params: string[] = [];
  columns.forEach((column, i) => {
    terms.push(`(${[...columns.slice(0, i).map((c) => `${q(db, c)} = ?`), `${q(db, column)} > ?`].join(' AND ')})`);
    params.push(...after.slice(0, i + 1));
  });
  return [terms.join(' OR '), params];
}
