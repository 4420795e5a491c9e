import type { EntityManager } from 'typeorm';

/**
 * What a read appends to lock the rows it reads until the transaction ends: on
 * MySQL inside a transaction, a shared lock (spelled `LOCK IN SHARE MODE`:
 * TypeORM writes `FOR SHARE`, which MariaDB refuses) or an exclusive one;
 * nothing on the embedded SQLite, which runs one transaction at a time. A
 * locking read also sees what committed after the transaction's snapshot.
 */
export function lockClause(em: EntityManager, mode: 'share' | 'update'): string {
  if (!em.queryRunner?.isTransactionActive || em.connection.options.type !== 'mysql') return '';
  return mode === 'share' ? ' LOCK IN SHARE MODE' : ' FOR UPDATE';
}

/** `?, ?, ?` for a list of bound values. */
export const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/**
 * Whether the tenant's store `storeId` exists, its row locked until the
 * transaction ends (MySQL). The two halves of one rule: a write that names the
 * store (stock, an order) holds it `share`; a store delete takes it `update`
 * before it looks for what uses the store. So the delete waits for such a write
 * and then sees it (409 `store-in-use`), or the write waits for the delete and
 * finds the store gone: never a row that names a deleted store.
 */
export async function lockStore(em: EntityManager, tenantId: string, storeId: string, mode: 'share' | 'update'): Promise<boolean> {
  const rows: unknown[] = await em.query(`SELECT id FROM stores WHERE tenant_id = ? AND id = ?${lockClause(em, mode)}`, [tenantId, storeId]);
  return rows.length > 0;
}
