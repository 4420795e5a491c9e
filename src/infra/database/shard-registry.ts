import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, type ShardConfig } from '../../config/app-config';
import type { RequestContext } from '../tenancy/request-context';
import { DatabaseError, DatabaseErrorCode } from './database.errors';
import { dataSourceOptions } from './data-source-options';
import { inTransaction, runAfterCommit } from './transactions';

/** After a failed open, requests fail fast for this long instead of each waiting for a timeout. */
const RETRY_AFTER_MS = 2000;

interface ShardHandle {
  config: ShardConfig;
  dataSource?: DataSource;
  opening?: Promise<DataSource>;
  failedAt?: number;
}

/**
 * One pooled DataSource per configured shard, opened (and migrated) on first use.
 * A shard that cannot be reached fails only its own tenants' requests with
 * `shard-unavailable`; the next request after a short pause tries again, so the
 * shard's tenants recover without a restart.
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

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    for (const shard of config.shards) this.handles.set(shard.id, { config: shard });
  }

  ids(): string[] {
    return [...this.handles.keys()];
  }

  has(shardId: string): boolean {
    return this.handles.has(shardId);
  }

  /** Opens every shard it can reach; the ones it cannot are logged and retried on use. */
  async openAll(): Promise<void> {
    await Promise.all(
      this.ids().map((id) =>
        this.dataSource(id).catch(() => this.logger.warn(`shard ${id}: unreachable at start; will retry on use`)),
      ),
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
   * caller (the edge) decides when it commits.
   */
  async transaction<C extends Pick<RequestContext, 'shardId' | 'tx' | 'afterCommit'>, T>(ctx: C, work: (txCtx: C) => Promise<T>): Promise<T> {
    if (ctx.tx) return work(ctx);
    const afterCommit: Array<() => unknown> = [];
    const result = await inTransaction(await this.forTenant(ctx), (tx) => work({ ...ctx, tx, afterCommit }));
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

  async ping(shardId: string): Promise<void> {
    await (await this.dataSource(shardId)).query('SELECT 1');
  }

  private async open(handle: ShardHandle): Promise<DataSource> {
    const dataSource = new DataSource(dataSourceOptions(handle.config.target, 'shard', this.config.poolSize));
    try {
      await dataSource.initialize();
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length) this.logger.log(`shard ${handle.config.id}: applied ${applied.length} migration(s)`);
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
