import type { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

// sql.js has one connection; two transactions begun on it at once would nest.
// The embedded profile therefore runs its transactions one after another.
const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one transaction on `dataSource`: it commits when `work` resolves
 * and rolls back when it throws. Declare it at the edge (the service method that
 * owns the use case); never undo by hand.
 *
 * @example
 * const store = await inTransaction(ds, (em) => this.stores.insert(em, ctx, draft));
 */
export function inTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'sqljs') return dataSource.transaction(work);
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => dataSource.transaction(work));
  queues.set(dataSource, next);
  return next;
}

/** Runs the after-commit hooks of a committed transaction. What runs after commit cannot undo it: a failure is logged, never thrown. */
export async function runAfterCommit(hooks: ReadonlyArray<() => unknown>, logger: Logger): Promise<void> {
  for (const hook of hooks) {
    await Promise.resolve()
      .then(hook)
      .catch((error: unknown) => logger.error(`after-commit work failed: ${(error as Error).name}`));
  }
}
