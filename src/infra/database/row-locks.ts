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
