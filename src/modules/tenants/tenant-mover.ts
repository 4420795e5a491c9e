import { createHash } from 'node:crypto';
import type { DataSource, EntityMetadata } from 'typeorm';
import { SHARD_ENTITIES } from '../../infra/database/entity-registry';
import { Tenant } from './entities/tenant';

export interface TableReport {
  table: string;
  rows: number;
  checksum: string;
}

export interface MoveReport {
  tenantId: string;
  from: string;
  to: string;
  tables: TableReport[];
}

const BATCH = 1000;

/** Everything the checksum sees, in a form both sides agree on whatever the driver returns. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/**
 * Moves a tenant's rows from one shard to another: while it runs the tenant is
 * `moving` (its reads go on, its writes answer 503), every tenant table is copied
 * in primary-key order, counted and checksummed on both sides, and only when all
 * agree does the catalog point the tenant at the new shard. The old copy stays
 * until `dropCopy` is asked for. A failure puts the tenant back, unchanged, on
 * its old shard.
 */
export class TenantMover {
  constructor(
    private readonly catalog: DataSource,
    private readonly shard: (id: string) => Promise<DataSource>,
    private readonly log: (line: string) => void = () => undefined,
    /** Lets requests that passed the guard before the switch to `moving` finish their writes. */
    private readonly settleMs = 3000,
  ) {}

  async move(tenantId: string, to: string): Promise<MoveReport> {
    const tenant = await this.catalog.manager.findOneBy(Tenant, { id: tenantId });
    if (!tenant) throw new Error(`No tenant ${tenantId}`);
    if (tenant.status !== 'active') throw new Error(`Tenant ${tenantId} is ${tenant.status}, not active`);
    if (tenant.shardId === to) throw new Error(`Tenant ${tenantId} is already on shard ${to}`);
    const [source, target] = [await this.shard(tenant.shardId), await this.shard(to)];
    const blocked = await this.catalog.manager.update(Tenant, { id: tenantId, status: 'active' }, { status: 'moving', updatedAt: new Date() });
    if (!blocked.affected) throw new Error(`Tenant ${tenantId} changed state; try again`);
    try {
      this.log(`tenant ${tenantId}: writes paused; copying from shard ${tenant.shardId} to ${to}`);
      await new Promise((resolve) => setTimeout(resolve, this.settleMs));
      const tables: TableReport[] = [];
      for (const entity of SHARD_ENTITIES) {
        const metadata = source.getMetadata(entity);
        await this.copy(tenantId, metadata, source, target);
        const [from, copy] = [await this.summary(tenantId, metadata, source), await this.summary(tenantId, metadata, target)];
        if (from.rows !== copy.rows || from.checksum !== copy.checksum) {
          throw new Error(`${metadata.tableName}: copy differs (${from.rows} rows ${from.checksum.slice(0, 12)} vs ${copy.rows} rows ${copy.checksum.slice(0, 12)})`);
        }
        tables.push(from);
        this.log(`  ${metadata.tableName}: ${from.rows} rows, checksum ${from.checksum.slice(0, 12)} on both`);
      }
      await this.catalog.manager.update(Tenant, { id: tenantId, status: 'moving' }, { shardId: to, status: 'active', updatedAt: new Date() });
      this.log(`tenant ${tenantId}: now on shard ${to}; the copy on ${tenant.shardId} stays until dropped`);
      return { tenantId, from: tenant.shardId, to, tables };
    } catch (error) {
      await this.catalog.manager.update(Tenant, { id: tenantId, status: 'moving' }, { status: 'active', updatedAt: new Date() });
      throw error;
    }
  }

  /** Deletes a tenant's rows from a shard it no longer lives on. */
  async dropCopy(tenantId: string, shardId: string): Promise<number> {
    const tenant = await this.catalog.manager.findOneBy(Tenant, { id: tenantId });
    if (!tenant) throw new Error(`No tenant ${tenantId}`);
    if (tenant.shardId === shardId) throw new Error(`Shard ${shardId} is where tenant ${tenantId} lives; refusing to drop its data`);
    const ds = await this.shard(shardId);
    let deleted = 0;
    for (const entity of SHARD_ENTITIES) {
      deleted += (await ds.manager.delete(entity, { tenantId })).affected ?? 0;
    }
    return deleted;
  }

  private async copy(tenantId: string, metadata: EntityMetadata, source: DataSource, target: DataSource): Promise<void> {
    // A previous attempt may have left part of a copy.
    await target.manager.delete(metadata.target, { tenantId });
    const order = Object.fromEntries(metadata.primaryColumns.map((c) => [c.propertyName, 'ASC' as const]));
    for (let skip = 0; ; skip += BATCH) {
      const rows = await source.manager.find(metadata.target, { where: { tenantId }, order, skip, take: BATCH });
      if (rows.length) await target.manager.insert(metadata.target, rows);
      if (rows.length < BATCH) return;
    }
  }

  private async summary(tenantId: string, metadata: EntityMetadata, ds: DataSource): Promise<TableReport> {
    const order = Object.fromEntries(metadata.primaryColumns.map((c) => [c.propertyName, 'ASC' as const]));
    const hash = createHash('sha256');
    let rows = 0;
    for (let skip = 0; ; skip += BATCH) {
      const batch = await ds.manager.find(metadata.target, { where: { tenantId }, order, skip, take: BATCH });
      for (const row of batch) hash.update(metadata.columns.map((c) => canonical(c.getEntityValue(row))).join('\u0001') + '\n');
      rows += batch.length;
      if (batch.length < BATCH) break;
    }
    return { table: metadata.tableName, rows, checksum: hash.digest('hex') };
  }
}
