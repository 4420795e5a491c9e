import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CatalogDatabase, type CatalogTxContext } from '../database/catalog-database';
import { DatabaseError, DatabaseErrorCode } from '../database/database.errors';
import { ShardRecord } from '../database/entities/shard-record';
import { ShardRegistry } from '../database/shard-registry';

/**
 * The catalog's record of shards, and where a new tenant goes: the configured
 * shard that accepts tenants and holds the fewest. Adding a shard to the
 * configuration registers it at the next start and new tenants land there.
 */
@Injectable()
export class ShardMap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalog: CatalogDatabase,
    private readonly shards: ShardRegistry,
  ) {}

  /**
   * Records configured shards the catalog has not seen; never changes known ones.
   * One insert that skips the ids already there (INSERT IGNORE on MySQL, INSERT OR
   * IGNORE on SQLite), so instances starting at once on a fresh catalog cannot
   * collide on a duplicate key, as a read-then-insert would.
   */
  async registerConfigured(): Promise<void> {
    if (!this.config.shards.length) return;
    const now = new Date();
    await this.catalog.manager
      .createQueryBuilder()
      .insert()
      .into(ShardRecord)
      .values(this.config.shards.map((s) => ({ id: s.id, acceptsTenants: true, createdAt: now })))
      .orIgnore()
      .execute();
  }

  /**
   * The shard a new tenant goes to: the least loaded one that can be reached now,
   * so a shard that is down does not fail sign-ups. Reads in `within`'s catalog
   * transaction when it is in one.
   */
  async placeNewTenant(within?: CatalogTxContext): Promise<string> {
    for (const id of await this.byLoad(within)) {
      try {
        await this.shards.dataSource(id);
        return id;
      } catch {
        continue;
      }
    }
    throw new DatabaseError(DatabaseErrorCode.ShardUnavailable, 'No database can take a new shop right now. Try again shortly.');
  }

  /** Configured shards that accept tenants, fewest tenants first. */
  private async byLoad(within?: CatalogTxContext): Promise<string[]> {
    const configured = this.config.shards.map((s) => s.id);
    const rows: { id: string; tenants: string | number }[] = await this.catalog
      .managerFor(within)
      .createQueryBuilder()
      .select('s.id', 'id')
      .addSelect('COUNT(t.id)', 'tenants')
      .from(ShardRecord, 's')
      .leftJoin('tenants', 't', 't.shard_id = s.id')
      .where('s.accepts_tenants = :yes AND s.id IN (:...configured)', { yes: true, configured })
      .groupBy('s.id')
      .orderBy('tenants', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .getRawMany();
    return rows.map((r) => r.id);
  }
}
