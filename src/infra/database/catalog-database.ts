import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { RequestContext } from '../tenancy/request-context';
import { dataSourceOptions } from './data-source-options';
import { StartupError, describeTarget, failureReason } from './database.errors';
import { inTransaction, runAfterCommit, serializeEmbedded } from './transactions';

/** What can carry an open catalog transaction: a request context inside `CatalogDatabase.transactional`. */
export type CatalogTxContext = Pick<RequestContext, 'catalogTx' | 'afterCommit'>;

/**
 * The catalog: tenants, users, sessions and the shard map. Opened and migrated
 * at start; the server does not start without it.
 *
 * Writes of catalog-stored resources run in one catalog transaction that the
 * edge opens (`transactional`), exactly as shard writes do: repositories take
 * the context and use `managerFor(ctx)`, which joins it.
 *
 * @example
 * await catalog.transactional(ctx, async (txCtx) => {
 *   await catalog.managerFor(txCtx).insert(DeviceToken, row); // the transaction's manager
 * });
 */
@Injectable()
export class CatalogDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(CatalogDatabase.name);
  readonly dataSource: DataSource;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.dataSource = new DataSource(dataSourceOptions(config.catalog, 'catalog', config.poolSize));
  }

  /** Opens and migrates the catalog; a StartupError naming it when it cannot (unreachable, refused, a damaged file). */
  async open(): Promise<void> {
    try {
      await this.dataSource.initialize();
      serializeEmbedded(this.dataSource);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length) this.logger.log(`catalog: applied ${applied.length} migration(s)`);
    } catch (error) {
      throw new StartupError(`the catalog database (${describeTarget(this.config.catalog)}) cannot be opened: ${failureReason(error)}`, { cause: error });
    }
  }

  /** The pooled manager: reads and writes outside any use case's transaction. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** The open catalog transaction of `ctx` if there is one, else the pooled manager. */
  managerFor(ctx: Pick<RequestContext, 'catalogTx'> | undefined): EntityManager {
    return ctx?.catalogTx ?? this.dataSource.manager;
  }

  /** Runs `work` in one catalog transaction; inside `within`'s open one, `work` joins it (its edge commits). */
  transaction<T>(work: (em: EntityManager) => Promise<T>, within?: Pick<RequestContext, 'catalogTx'>): Promise<T> {
    if (within?.catalogTx) return work(within.catalogTx);
    return inTransaction(this.dataSource, work);
  }

  /**
   * Runs `work` in one catalog transaction with a context that carries it (and
   * collects after-commit hooks, run once it has committed). Inside a catalog
   * transaction already, `work` joins it.
   */
  async transactional<C extends CatalogTxContext, T>(ctx: C, work: (txCtx: C) => Promise<T>): Promise<T> {
    if (ctx.catalogTx) return work(ctx);
    const { result, afterCommit } = await inTransaction(this.dataSource, async (catalogTx) => {
      // Each attempt its own hooks: those of an attempt that deadlocked are dropped with it.
      const afterCommit: Array<() => unknown> = [];
      return { result: await work({ ...ctx, catalogTx, afterCommit }), afterCommit };
    });
    await runAfterCommit(afterCommit, this.logger);
    return result;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
