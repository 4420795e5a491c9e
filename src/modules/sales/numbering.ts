import type { EntityManager, EntityTarget } from 'typeorm';
import { isDuplicateKey } from '../../infra/database/database.errors';
import { lockClause } from '../../infra/database/row-locks';

/** A tenant's counter row: the last number it handed out (orders, sales). */
export interface NumberCounter {
  tenantId: string;
  lastNumber: number;
}

/**
 * The tenant's next number (1, 2, 3...) from a counter table. The tenant's row
 * is locked until the transaction ends (MySQL; the embedded SQLite runs one
 * write at a time), so two records never share a number, and a rolled-back one
 * gives its number back. The first record of a tenant makes the row; a
 * concurrent first insert loses on the primary key, and then the row exists to lock.
 */
export async function nextNumber(em: EntityManager, counter: EntityTarget<NumberCounter>, tenantId: string): Promise<number> {
  // The table name comes from the entity's metadata, never from input.
  const table = em.getRepository(counter).metadata.tableName;
  for (let attempt = 0; ; attempt++) {
    const rows: Array<{ last: number | string }> = await em.query(`SELECT last_number AS last FROM ${table} WHERE tenant_id = ?${lockClause(em, 'update')}`, [tenantId]);
    if (rows.length) {
      const next = Number(rows[0].last) + 1;
      await em.update(counter, { tenantId }, { lastNumber: next });
      return next;
    }
    try {
      await em.insert(counter, { tenantId, lastNumber: 1 });
      return 1;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt > 0) throw error;
    }
  }
}
