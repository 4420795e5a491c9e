import { Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isDeadlock } from './database.errors';

// sql.js has one connection, shared by every caller. Two transactions begun on it
// at once would nest, and a statement sent outside any transaction while one is
// open would run inside it and be rolled back with it (a login's session row lost
// because another request's write failed). So on the embedded profile everything
// takes turns on one queue: each transaction is one turn, each statement outside a
// transaction is one turn. Work inside a transaction knows it is (async context)
// and runs straight through, so it never waits behind itself.
const queues = new WeakMap<DataSource, Promise<unknown>>();
const inside = new AsyncLocalStorage<DataSource>();
const guarded = new WeakSet<DataSource>();

function enqueue<T>(dataSource: DataSource, turn: () => Promise<T>): Promise<T> {
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(turn);
  queues.set(dataSource, next);
  return next;
}

/** Makes every statement on an embedded DataSource's one connection wait for the transaction in progress. */
function guardStatements(dataSource: DataSource): void {
  if (guarded.has(dataSource)) return;
  guarded.add(dataSource);
  const runner: QueryRunner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as QueryRunner['query'];
  runner.query = ((...args: Parameters<QueryRunner['query']>) =>
    inside.getStore() === dataSource ? query(...args) : enqueue(dataSource, () => query(...args))) as QueryRunner['query'];
}

/** Runs of a MySQL transaction that deadlocks, the first included. */
export const DEADLOCK_ATTEMPTS = 3;

const logger = new Logger('Transactions');

/**
 * Runs `work` in one transaction on `dataSource`: it commits when `work` resolves
 * and rolls back when it throws. Declare it at the edge (the service method that
 * owns the use case); never undo by hand.
 *
 * On MySQL a transaction chosen as a deadlock's victim has been rolled back
 * whole, so it runs again, up to `DEADLOCK_ATTEMPTS` times in all, after a
 * short random pause; what still deadlocks is thrown (the client gets 503
 * `try-again`). `work` must therefore keep nothing across attempts but what
 * it returns: state it collects (after-commit hooks) belongs inside it, made
 * anew by each attempt, as `ShardRegistry.transaction` does.
 *
 * @example
 * const store = await inTransaction(ds, (em) => this.stores.insert(em, ctx, draft));
 */
export function inTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'sqljs') return retryingDeadlocks(() => dataSource.transaction(work));
  guardStatements(dataSource);
  // Inside a transaction already: a savepoint on the same connection, not a turn of its own (that would wait for itself).
  if (inside.getStore() === dataSource) return dataSource.transaction(work);
  return enqueue(dataSource, () => inside.run(dataSource, () => dataSource.transaction(work)));
}

async function retryingDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
      logger.warn(`transaction deadlocked; running it again (attempt ${attempt + 1} of ${DEADLOCK_ATTEMPTS})`);
      // Apart, so the two sides of the conflict do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** On the embedded profile, from when a DataSource is opened: statements outside transactions take their turn too. */
export function serializeEmbedded(dataSource: DataSource): void {
  if (dataSource.options.type === 'sqljs') guardStatements(dataSource);
}

/** Runs the after-commit hooks of a committed transaction. What runs after commit cannot undo it: a failure is logged, never thrown. */
export async function runAfterCommit(hooks: ReadonlyArray<() => unknown>, logger: Logger): Promise<void> {
  for (const hook of hooks) {
    await Promise.resolve()
      .then(hook)
      .catch((error: unknown) => logger.error(`after-commit work failed: ${(error as Error).name}`));
  }
}
