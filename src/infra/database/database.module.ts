import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { ShardMap } from '../tenancy/shard-map';
import { CatalogDatabase } from './catalog-database';
import { ShardRegistry } from './shard-registry';

/**
 * Opens the catalog (required), records the configured shards and migrates the
 * ones it can reach. Shards' pools open on first use (`ShardRegistry`).
 */
@Injectable()
class DatabaseStartup implements OnModuleInit {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly shardMap: ShardMap,
    private readonly shards: ShardRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.catalog.open();
    await this.shardMap.registerConfigured();
    await this.shards.migrateAll();
  }
}

@Global()
@Module({
  providers: [CatalogDatabase, ShardRegistry, ShardMap, DatabaseStartup],
  exports: [CatalogDatabase, ShardRegistry, ShardMap],
})
export class DatabaseModule {}
