import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { CatalogDatabase } from '../database/catalog-database';
import { IdempotencyRecord } from '../database/entities/idempotency-record';
import { ShardRegistry } from '../database/shard-registry';

/** How often expired Idempotency-Key records are deleted; the first run follows the start by a minute. */
const PURGE_INTERVAL_MS = 3600 * 1000;
const FIRST_PURGE_MS = 60 * 1000;

/**
 * Deletes expired Idempotency-Key records of every tenant from the catalog and
 * every shard it can reach (an expired record is already ignored: this only
 * keeps the tables from growing forever), tenant by tenant, each through the
 * (tenant_id, expires_at) index. A shard that is down is skipped until the next run.
 */
@Injectable()
export class IdempotencyPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurge.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly shards: ShardRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.purge();
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, PURGE_INTERVAL_MS).unref();
    }, FIRST_PURGE_MS).unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** Deletes every record expired by now; answers how many went, per database. */
  async purge(now = new Date()): Promise<Record<string, number>> {
    const purged: Record<string, number> = {};
    const databases = [
      { name: 'catalog', open: async () => this.catalog.dataSource },
      ...this.shards.ids().map((id) => ({ name: `shard:${id}`, open: () => this.shards.dataSource(id) })),
    ];
    for (const { name, open } of databases) {
      try {
        const { manager } = await open();
        const tenants: Array<{ tenantId: string }> = await manager.createQueryBuilder(IdempotencyRecord, 'r').select('DISTINCT r.tenantId', 'tenantId').getRawMany();
        purged[name] = 0;
        for (const { tenantId } of tenants) {
          purged[name] += (await manager.delete(IdempotencyRecord, { tenantId, expiresAt: LessThan(now) })).affected ?? 0;
        }
      } catch {
        this.logger.warn(`idempotency purge: ${name} skipped; it will run again`);
      }
    }
    return purged;
  }
}
