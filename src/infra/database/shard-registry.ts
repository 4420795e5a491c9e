import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, type ShardConfig } from '../../config/app-config';
import type { RequestContext } from '../tenancy/request-context';
import { ensureFence, passFence } from '../tenancy/tenant-fence';
import { DatabaseError, DatabaseErrorCode } from './database.errors';
import { dataSourceOptions } from './data-source-options';
import { inTransaction, runAfterCommit, serializeEmbedded } from './transactions';

/** After a failed open, requests fail fast for this long instead of each waiting for a timeout. */
const RETRY_AFTER_MS = 2000;

interface ShardHandle {
  config: ShardConfig;
  dataSource?: DataSource;
  opening?: Promise<DataSource>;
  failedAt?: number;
  /** Migrated at start (`migrateAll`), so opening it need not look again. */
  migrated?: boolean;
}

/** Tenants known to have a fence row on a shard, so their writes need not make one (`shard:tenant`). */
const FENCES_KNOWN_MAX = 100_000;

/**
 * One pooled DataSource per configured shard, opened on first use: by a tenant's
 * request, by `/health` (which pings every shard), or by a background job that
 * reaches every shard's rows (integration-secret removals 30 s after start, the
 * key rewrap job and the idempotency purge after 60 s by default). So a running
 * server soon holds a pool to every shard; one nobody has used has none. The
 * server migrates every shard at start over a connection of its own that it
 * closes (`migrateAll`); a shard that was down then is migrated when it is first
 * opened.
 * A shard that cannot be reached fails only its own tenants' requests with
 * `shard-unavailable`; the next request after a short pause tries again, so the
 * shard's tenants recover without a restart.
 *
 * Every transaction of a tenant passes the tenant's write fence on its shard
 * (`tenant-fence.ts`), which a tenant move closes before it copies.
 *
 * @example
 * await shards.transaction(ctx, async (txCtx) => {
 *   await (await shards.manager(txCtx)).insert(Store, row); // the transaction's manager
 * });
 */
@Injectable()
export class ShardRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(ShardRegistry.name);
  private readonly handles = new Map<string, ShardHandle>();
  private readonly fencesKnown = new Set<string>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    for (const shard of config.shards) this.handles.set(shard.id, { config: shard });
  }

  ids(): string[] {
    return [...this.handles.keys()];
  }

  has(shardId: string): boolean {
    return this.handles.has(shardId);
  }

  /** The shards whose pool is open now. */
  openIds(): string[] {
    return [...this.handles.values()].filter((h) => h.dataSource?.isInitialized).map((h) => h.config.id);
  }

  /**
   * Applies pending migrations to every shard it can reach, one connection each,
   * closed afterwards; a shard it cannot reach is logged and migrated on first use.
   */
  async migrateAll(): Promise<void> {
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        const dataSource = new DataSource(dataSourceOptions(handle.config.target, 'shard', 1));
        try {
          await dataSource.initialize();
          await this.migrate(handle, dataSource);
        } catch (error) {
          this.logger.warn(`shard ${handle.config.id}: cannot migrate at start (${(error as { code?: string }).code ?? 'error'}); will on first use`);
        } finally {
          if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
        }
      }),
    );
  }

  async dataSource(shardId: string): Promise<DataSource> {
    const handle = this.handles.get(shardId);
    if (!handle) throw this.unavailable(shardId);
    if (handle.dataSource?.isInitialized) return handle.dataSource;
    if (handle.failedAt && Date.now() - handle.failedAt < RETRY_AFTER_MS) throw this.unavailable(shardId);
    handle.opening ??= this.open(handle).finally(() => (handle.opening = undefined));
    return handle.opening;
  }

  forTenant(ctx: Pick<RequestContext, 'shardId'>): Promise<DataSource> {
    return this.dataSource(ctx.shardId);
  }

  /** The open transaction of `ctx` if there is one, else the shard's pooled manager. */
  async manager(ctx: Pick<RequestContext, 'shardId' | 'tx'>): Promise<EntityManager> {
    return ctx.tx ?? (await this.forTenant(ctx)).manager;
  }

  /**
   * Runs `work` in one transaction on the tenant's shard, with a context that
   * carries it. Inside a transaction already, `work` joins it: the outermost
   * caller (the edge) decides when it commits. `readOnly` work passes no fence:
   * it may read a tenant's copy on a shard it has moved from.
   */
  async transaction<C extends Pick<RequestContext, 'shardId' | 'tx' | 'afterCommit' | 'beforeCommit'> & { tenantId?: string }, T>(
    ctx: C,
    work: (txCtx: C) => Promise<T>,
    options: { readOnly?: boolean } = {},
  ): Promise<T> {
    if (ctx.tx) return work(ctx);
    const dataSource = await this.forTenant(ctx);
    const tenantId = options.readOnly ? undefined : ctx.tenantId;
    if (tenantId) await this.knowFence(dataSource, ctx.shardId, tenantId);
    const { result, afterCommit } = await inTransaction(dataSource, async (tx) => {
      // Each attempt its own hooks: those of an attempt that deadlocked are dropped with it.
      const afterCommit: Array<() => unknown> = [];
      const beforeCommit: Array<() => Promise<unknown>> = [];
      if (tenantId) await passFence(tx, tenantId);
      const result = await work({ ...ctx, tx, afterCommit, beforeCommit });
      // In the order registered; a hook may register another, which runs too.
      for (let i = 0; i < beforeCommit.length; i++) await beforeCommit[i]();
      return { result, afterCommit };
    });
    await runAfterCommit(afterCommit, this.logger);
    return result;
  }

  /**
   * Runs `hook` once the transaction `ctx` belongs to has committed (never if it
   * rolls back); at once when `ctx` is not in a transaction.
   *
   * @example
   * shards.afterCommit(txCtx, () => cache.bumpStore(ctx, storeId));
   */
  afterCommit(ctx: Pick<RequestContext, 'afterCommit'>, hook: () => unknown): void {
    if (ctx.afterCommit) ctx.afterCommit.push(hook);
    else void Promise.resolve().then(hook).catch((error: unknown) => this.logger.error(`after-commit work failed: ${(error as Error).name}`));
  }

  /**
   * Runs `hook` inside the transaction `ctx` belongs to, once all of its work
   * is done and before it commits: checks that hold for what a whole request
   * wrote (an atomic batch's sales and their payments). A hook that throws
   * rolls the transaction back, and the request answers its error. Outside a
   * transaction it runs at once.
   *
   * @example
   * await shards.beforeCommit(txCtx, () => this.checkPaid(txCtx, saleIds));
   */
  async beforeCommit(ctx: Pick<RequestContext, 'beforeCommit'>, hook: () => Promise<unknown>): Promise<void> {
    if (ctx.beforeCommit) ctx.beforeCommit.push(hook);
    else await hook();
  }

  async ping(shardId: string): Promise<void> {
    await (await this.dataSource(shardId)).query('SELECT 1');
  }

  /**
   * A tenant's first transaction on a shard makes its fence row outside any
   * transaction: two first writers making it inside theirs would deadlock on MySQL.
   * (SQLite runs transactions one at a time and makes it inside: `passFence`.)
   */
  private async knowFence(dataSource: DataSource, shardId: string, tenantId: string): Promise<void> {
    const key = `${shardId}:${tenantId}`;
    if (dataSource.options.type !== 'mysql' || this.fencesKnown.has(key)) return;
    await ensureFence(dataSource, tenantId);
    if (this.fencesKnown.size >= FENCES_KNOWN_MAX) this.fencesKnown.clear();
    this.fencesKnown.add(key);
  }

  private async migrate(handle: ShardHandle, dataSource: DataSource): Promise<void> {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length) this.logger.log(`shard ${handle.config.id}: applied ${applied.length} migration(s)`);
    handle.migrated = true;
  }

  private async open(handle: ShardHandle): Promise<DataSource> {
    const dataSource = new DataSource(dataSourceOptions(handle.config.target, 'shard', this.config.poolSize));
    try {
      await dataSource.initialize();
      serializeEmbedded(dataSource);
      if (!handle.migrated) await this.migrate(handle, dataSource);
      handle.dataSource = dataSource;
      handle.failedAt = undefined;
      return dataSource;
    } catch (error) {
      handle.failedAt = Date.now();
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      this.logger.warn(`shard ${handle.config.id}: cannot open (${(error as { code?: string }).code ?? 'error'})`);
      throw this.unavailable(handle.config.id);
    }
  }

  // The shard id stays out of the client's error: it is our topology, not theirs.
  private unavailable(_shardId: string): DatabaseError {
    return new DatabaseError(
      DatabaseErrorCode.ShardUnavailable,
      'The database holding this shop is unavailable. Try again shortly.',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.handles.values()].map((h) => (h.dataSource?.isInitialized ? h.dataSource.destroy() : undefined)),
    );
  }
}
