import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type EntityManager, LessThan } from 'typeorm';
import { CatalogDatabase } from '../database/catalog-database';
import { IdempotencyRecord } from '../database/entities/idempotency-record';
import { ShardRegistry } from '../database/shard-registry';
import { FENCE_CLOSED, inFencedTransaction } from '../tenancy/tenant-fence';

/** How often expired Idempotency-Key records are deleted; the first run follows the start by a minute. */
const PURGE_INTERVAL_MS = 3600 * 1000;
const FIRST_PURGE_MS = 60 * 1000;

/**
 * Deletes expired Idempotency-Key records of every tenant from the catalog and
 * every shard it can reach (an expired record is already ignored: this only
 * keeps the tables from growing forever), tenant by tenant, each through the
 * (tenant_id, expires_at) index. A shard that is down is skipped until the next
 * run. On a shard each tenant's delete passes the tenant's move fence, as every
 * request's write does: a tenant being moved keeps its records until the next
 * run (deleting them under the move's copy would abort the move).
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
      { name: 'catalog', open: async () => this.catalog.dataSource, fenced: false },
      ...this.shards.ids().map((id) => ({ name: `shard:${id}`, open: () => this.shards.dataSource(id), fenced: true })),
    ];
    for (const { name, open, fenced } of databases) {
      try {
        const db = await open();
        const tenants: Array<{ tenantId: string }> = await db.manager.createQueryBuilder(IdempotencyRecord, 'r').select('DISTINCT r.tenantId', 'tenantId').getRawMany();
        purged[name] = 0;
        for (const { tenantId } of tenants) {
          const expired = async (em: EntityManager) => (await em.delete(IdempotencyRecord, { tenantId, expiresAt: LessThan(now) })).affected ?? 0;
          const deleted = fenced ? await inFencedTransaction(db, tenantId, expired) : await expired(db.manager);
          if (deleted !== FENCE_CLOSED) purged[name] += deleted;
        }
      } catch {
        this.logger.warn(`idempotency purge: ${name} skipped; it will run again`);
      }
    }
    return purged;
  }
}
