import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { CatalogDatabase, type CatalogTxContext } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import type { RequestContext } from '../../src/infra/tenancy/request-context';
import { ownDatabases } from '../support/own-databases';
import { servicesEnv } from '../support/services-env';

/** Resolves for everyone once `parties` have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === parties) release();
    return all;
  };
}

/** Runs `work` in a transaction of the database under test, with a place for after-commit hooks. */
type Transaction = <T>(work: (tx: EntityManager, afterCommit: (hook: () => void) => void) => Promise<T>) => Promise<T>;

// Services profile only: a real InnoDB deadlock between two connections, which lock two rows in opposite order.
describe('transactions that deadlock on MySQL', () => {
  let drop: () => Promise<void>;
  let shards: ShardRegistry;
  let catalog: CatalogDatabase;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const own = await ownDatabases();
    drop = own.drop;
    const config = loadConfig({ ...servicesEnv(), ...own.env });
    shards = new ShardRegistry(config);
    catalog = new CatalogDatabase(config);
    await catalog.open();
  });
  afterAll(async () => {
    await shards?.onApplicationShutdown();
    await catalog?.onApplicationShutdown();
    await drop?.();
    jest.restoreAllMocks();
  });

  /** Two transactions, each locking x and y in its own order, both holding their first lock before either takes its second. */
  async function deadlockBetweenTwo(db: DataSource, transaction: Transaction) {
    await db.query('CREATE TABLE probe (id VARCHAR(8) PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB');
    await db.query("INSERT INTO probe VALUES ('x', 0), ('y', 0)");
    const bothHoldOne = barrier(2);
    const attempts = { xy: 0, yx: 0 };
    const hooks = { xy: 0, yx: 0 };
    const side = (name: 'xy' | 'yx') =>
      transaction(async (tx, afterCommit) => {
        const attempt = ++attempts[name];
        afterCommit(() => hooks[name]++);
        await tx.query('UPDATE probe SET n = n + 1 WHERE id = ?', [name[0]]);
        if (attempt === 1) await bothHoldOne();
        await tx.query('UPDATE probe SET n = n + 1 WHERE id = ?', [name[1]]);
        return attempt;
      });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const results = await Promise.all([side('xy'), side('yx')]);
      return { results, attempts, hooks, rows: await db.query('SELECT id, n FROM probe ORDER BY id'), warned: warn.mock.calls.flat().join('\n') };
    } finally {
      warn.mockRestore();
    }
  }

  it('runs the deadlock victim again on a shard, which then commits, and runs each after-commit hook exactly once', async () => {
    const ctx: Pick<RequestContext, 'tenantId' | 'shardId' | 'tx' | 'afterCommit'> = { tenantId: uuid7(), shardId: 'a' };
    const outcome = await deadlockBetweenTwo(await shards.dataSource('a'), (work) =>
      shards.transaction(ctx, (txCtx) => work(txCtx.tx!, (hook) => shards.afterCommit(txCtx, hook))),
    );
    // One side lost the deadlock and ran a second time; both committed.
    expect(outcome.results.sort()).toEqual([1, 2]);
    expect(outcome.attempts.xy + outcome.attempts.yx).toBe(3);
    // The losing attempt's hook went with it: one hook run per committed transaction.
    expect(outcome.hooks).toEqual({ xy: 1, yx: 1 });
    // Its first attempt's update was rolled back: each row counted once per transaction.
    expect(outcome.rows).toEqual([
      { id: 'x', n: 2 },
      { id: 'y', n: 2 },
    ]);
    expect(outcome.warned).toContain('transaction deadlocked; running it again (attempt 2 of 3)');
  });

  it('does the same for catalog transactions', async () => {
    const outcome = await deadlockBetweenTwo(catalog.dataSource, (work) => catalog.transactional({} as CatalogTxContext, (txCtx) => work(txCtx.catalogTx!, (hook) => txCtx.afterCommit!.push(hook))));
    expect(outcome.results.sort()).toEqual([1, 2]);
    expect(outcome.hooks).toEqual({ xy: 1, yx: 1 });
    expect(outcome.rows).toEqual([
      { id: 'x', n: 2 },
      { id: 'y', n: 2 },
    ]);
  });
});
