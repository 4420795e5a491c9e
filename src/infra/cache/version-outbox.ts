import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CatalogDatabase } from '../database/catalog-database';
import { ShardRegistry } from '../database/shard-registry';
import { inTransaction } from '../database/transactions';
import { uuid7 } from '../database/uuid7';
import { VersionStore } from './version-store';

/** The database whose rows a version guards: the catalog (principals), or a shard (`shard:<id>`, read-cache documents). */
export type VersionDatabase = 'catalog' | `shard:${string}`;
export const CATALOG_VERSIONS: VersionDatabase = 'catalog';
export const shardVersions = (shardId: string): VersionDatabase => `shard:${shardId}`;

/**
 * A healthy writer deletes its outbox rows a few milliseconds after its commit (a
 * move gives up after `CACHE_DEADLINE_MS`, 250 ms); rows older than this belong to
 * a writer that could not move, or died. Younger ones are left to their writer so
 * that the reconciliation does not move hot versions twice.
 */
export const OUTBOX_SETTLE_MS = 500;
/** Rows handled per tenant and statement; a long outage's backlog takes a few rounds. */
const SWEEP_BATCH = 500;
/** After a reconciliation failed (the database is down), the next try waits this long. */
const RETRY_AFTER_MS = 1000;

/** The moves one transaction owes: many writes in one transaction move each version once, after the commit. */
interface Owed {
  database: VersionDatabase;
  keys: Set<string>;
  /** The outbox rows that record them: tenant and id. */
  rows: Array<{ tenantId: string; id: string }>;
}

/** Where a writer outside a use case's transaction keeps its moves: the DataSource it wrote through. */
const owners = new WeakMap<DataSource, (keys: readonly string[], rows: ReadonlyArray<{ tenantId: string; id: string }>) => Promise<void>>();

/** Only MySQL databases keep an outbox: the embedded profile's versions live in the one process that moves them. */
const recorded = (db: EntityManager | DataSource) => (db instanceof DataSource ? db : db.dataSource).options.type === 'mysql';

/** Records in `em`'s transaction that `key` must move (services profile); the row's time is the database's own clock. */
async function record(em: EntityManager, tenantId: string, key: string): Promise<{ tenantId: string; id: string }> {
  const id = uuid7();
  await em.query('INSERT INTO cache_version_moves (tenant_id, id, version_key, created_at) VALUES (?, ?, ?, NOW(3))', [tenantId, id, key]);
  return { tenantId, id };
}

async function forget(db: EntityManager | DataSource, rows: ReadonlyArray<{ tenantId: string; id: string }>): Promise<void> {
  const byTenant = new Map<string, string[]>();
  for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row.id]);
  for (const [tenantId, ids] of byTenant) {
    await db.query(`DELETE FROM cache_version_moves WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')})`, [tenantId, ...ids]);
  }
}

/**
 * Runs `work` in one transaction on `dataSource` (the catalog, held by code that has
 * no request context: operator commands, the tenant mover) and moves `keys` after
 * it commits. The moves are recorded in the transaction first, so if this process
 * cannot make them (a command with no Redis, a failure), every server makes them at
 * its next reconciliation.
 */
export async function inTransactionMoving<T>(dataSource: DataSource, tenantId: string, keys: readonly string[], work: (em: EntityManager) => Promise<T>): Promise<T> {
  const rows: Array<{ tenantId: string; id: string }> = [];
  const result = await inTransaction(dataSource, async (em) => {
    const value = await work(em);
    if (recorded(em)) for (const key of keys) rows.push(await record(em, tenantId, key));
    return value;
  });
  await owners.get(dataSource)?.(keys, rows).catch(() => undefined);
  return result;
}

/** Makes `store` move the versions that writes through `dataSource` record (`inTransactionMoving`), right after they commit. */
export function ownVersions(dataSource: DataSource, store: VersionStore): void {
  owners.set(dataSource, async (keys, rows) => {
    if ((await store.move(keys)) && rows.length) await forget(dataSource, rows);
  });
}

/**
 * The outboxes of version moves, one table (`cache_version_moves`) in the catalog
 * and in each shard, and the reconciliation that makes every instance exact again.
 *
 * A writer records each move in its own transaction (`touch`) and makes it after
 * the commit, before it answers; the row goes once Redis holds the new version. A
 * move that fails (this instance cannot reach Redis, or dies first) stays recorded:
 *
 * - every instance, every `CACHE_OUTBOX_POLL_MS`, moves the versions of the rows
 *   older than `OUTBOX_SETTLE_MS` in the catalog and each shard it has open, and
 *   deletes them. So a writer cut off from Redis while other instances still reach
 *   it leaves them serving what they cached before its write for at most about
 *   the poll interval (plus the settle time): the one case that is bounded rather
 *   than exact. A writer that dies is covered the same way.
 * - the instance itself knows (its `VersionStore` epoch moved, as it does on every
 *   reconnection to Redis), and trusts the versions of a database again only after
 *   it has moved every row of that database's outbox (`trusted`); until then its
 *   reads of that database bypass the cache.
 *
 * The embedded profile (one process, versions in process) records nothing: a move
 * there cannot fail. The table is read and written with plain SQL and is no
 * entity: a tenant move does not copy it (rows left on the old shard are
 * reconciled there, and the copy is checked against a source the sweep would change).
 */
@Injectable()
export class VersionOutbox implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(VersionOutbox.name);
  private readonly owed = new WeakMap<object, Owed>();
  /** The epoch in which each database's outbox was last emptied. */
  private readonly reconciled = new Map<VersionDatabase, number>();
  private readonly reconciling = new Map<VersionDatabase, Promise<boolean>>();
  private readonly failedAt = new Map<VersionDatabase, number>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: VersionStore,
    private readonly catalog: CatalogDatabase,
    private readonly shards: ShardRegistry,
  ) {}

  onModuleInit(): void {
    ownVersions(this.catalog.dataSource, this.store);
    if (!this.store.shared) return;
    // Back from an outage (or a failed move): reconcile at once rather than at the first read.
    this.store.onSuspect(() => {
      for (const database of this.open()) void this.trusted(database);
    });
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.config.cacheOutboxPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /**
   * Whether the versions now in the store may vouch for copies of `database`'s data:
   * at once (a boolean) in the usual case; in a new epoch (a reconnection to Redis, a
   * failed move of this instance's) once that database's outbox has been emptied
   * (a promise); false while Redis is away or the database cannot be read.
   */
  trusted(database: VersionDatabase): boolean | Promise<boolean> {
    if (!this.store.shared) return true;
    if (!this.store.ready) return false;
    if (this.reconciled.get(database) === this.store.epoch) return true;
    if (Date.now() - (this.failedAt.get(database) ?? 0) < RETRY_AFTER_MS) return false;
    return this.reconcile(database);
  }

  private async reconcile(database: VersionDatabase): Promise<boolean> {
    const epoch = this.store.epoch;
    let running = this.reconciling.get(database);
    if (!running) {
      running = this.sweep(database, 0)
        .then(() => {
          this.reconciled.set(database, epoch);
          return true;
        })
        .catch(() => {
          this.failedAt.set(database, Date.now());
          return false;
        })
        .finally(() => this.reconciling.delete(database));
      this.reconciling.set(database, running);
    }
    return (await running) && this.reconciled.get(database) === this.store.epoch;
  }

  /**
   * Owes a move of `key`, a version of `database`'s data. In a transaction (`em`
   * and its after-commit list): recorded in it, moved once after it commits. Outside
   * one, moved now and not recorded: a writer that needs the outbox's guarantee
   * writes in a transaction.
   */
  async touch(database: VersionDatabase, tenantId: string, key: string, em?: EntityManager, afterCommit?: Array<() => unknown>): Promise<void> {
    if (!em || !afterCommit) {
      await this.store.move([key]);
      return;
    }
    let owed = this.owed.get(afterCommit);
    if (!owed) {
      const fresh: Owed = (owed = { database, keys: new Set(), rows: [] });
      this.owed.set(afterCommit, fresh);
      afterCommit.push(() => this.release(fresh));
    }
    if (owed.keys.has(key)) return;
    owed.keys.add(key);
    if (this.store.shared && recorded(em)) owed.rows.push(await record(em, tenantId, key));
  }

  private async release(owed: Owed): Promise<void> {
    if (!(await this.store.move([...owed.keys])) || !owed.rows.length) return;
    try {
      await forget(await this.dataSource(owed.database), owed.rows);
    } catch {
      // The rows stay and a reconciliation moves those versions once more: one more miss, never a stale hit.
      this.logger.warn(`could not clear ${owed.rows.length} cache version move(s)`);
    }
  }

  /** One round of the background reconciliation: every database this instance has open. */
  private async poll(): Promise<void> {
    if (!this.store.ready) return;
    for (const database of this.open()) {
      await this.sweep(database, OUTBOX_SETTLE_MS).catch((error: { code?: string }) =>
        this.logger.debug(`cache version moves of ${database} not reconciled (${error.code ?? 'error'})`),
      );
    }
  }

  /** The databases this instance reads: the catalog once it is open (Redis may connect first), and the shards it has opened. */
  private open(): VersionDatabase[] {
    return [...(this.catalog.dataSource.isInitialized ? [CATALOG_VERSIONS] : []), ...this.shards.openIds().map(shardVersions)];
  }

  private async dataSource(database: VersionDatabase): Promise<DataSource> {
    return database === CATALOG_VERSIONS ? this.catalog.dataSource : this.shards.dataSource(database.slice('shard:'.length));
  }

  /**
   * Moves the versions of the outbox rows at least `minAgeMs` old and deletes the
   * rows, tenant by tenant; throws when a move fails (the rows stay).
   */
  private async sweep(database: VersionDatabase, minAgeMs: number): Promise<void> {
    const db = await this.dataSource(database);
    if (!recorded(db)) return;
    const age = minAgeMs > 0 ? ` AND created_at <= NOW(3) - INTERVAL ${Math.floor(minAgeMs * 1000)} MICROSECOND` : '';
    const tenants: Array<{ tenantId: string }> = await db.query(`SELECT DISTINCT tenant_id AS tenantId FROM cache_version_moves WHERE 1 = 1${age}`);
    for (const { tenantId } of tenants) {
      for (;;) {
        const rows: Array<{ id: string; versionKey: string }> = await db.query(
          `SELECT id, version_key AS versionKey FROM cache_version_moves WHERE tenant_id = ?${age} LIMIT ${SWEEP_BATCH}`,
          [tenantId],
        );
        if (!rows.length) break;
        if (!(await this.store.move([...new Set(rows.map((r) => r.versionKey))]))) throw new Error('cache versions could not move');
        await forget(db, rows.map((r) => ({ tenantId, id: r.id })));
        if (rows.length < SWEEP_BATCH) break;
      }
    }
  }
}
