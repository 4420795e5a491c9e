import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { inTransaction } from './transactions';

/**
 * The catalog: tenants, users, sessions and the shard map. Opened and migrated
 * at start; the server does not start without it.
 */
@Injectable()
export class CatalogDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(CatalogDatabase.name);
  readonly dataSource: DataSource;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dataSource = new DataSource(dataSourceOptions(config.catalog, 'catalog', config.poolSize));
  }

  async open(): Promise<void> {
    await this.dataSource.initialize();
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    if (applied.length) this.logger.log(`catalog: applied ${applied.length} migration(s)`);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, work);
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
