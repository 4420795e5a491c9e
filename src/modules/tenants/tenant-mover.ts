import { createHash } from 'node:crypto';
import type { DataSource, EntityMetadata, FindOptionsWhere, UpdateResult } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { changingTenantPrincipals } from '../../infra/auth/principal-versions';
import { SHARD_ENTITIES } from '../../infra/database/entity-registry';
import { closeFence, openFence } from '../../infra/tenancy/tenant-fence';
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

/**
 * Where a move has got to, for the operator's terminal (and for tests, which may
 * act between two steps: the mover waits for the callback).
 * `fenced`: no write of the tenant can commit on the source any more;
 * `copied`: every table is copied and matched once; `switched`: the catalog points at the target.
 */
export type MoveStep = 'fenced' | 'copied' | 'switched';
export type MoveProgress = (step: MoveStep | 'table', line: string) => void | Promise<void>;

const BATCH = 1000;

/** Everything the checksum sees, in a form both sides agree on whatever the driver returns. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

const differs = (a: TableReport, b: TableReport) => a.rows !== b.rows || a.checksum !== b.checksum;
const describe = (r: TableReport) => `${r.rows} rows ${r.checksum.slice(0, 12)}`;

/**
 * Moves a tenant's rows from one shard to another without losing one:
 *
 * 1. the catalog marks the tenant `moving`: the auth guard answers its writes 503
 *    `tenant-moving` from now on, its reads go on;
 * 2. the tenant's write fence on the source closes (`tenant-fence.ts`): this waits
 *    for every write transaction of the tenant still running there (requests that
 *    passed the guard before step 1) and refuses every later one;
 * 3. every tenant table is copied in primary-key order and counted and
 *    checksummed on both sides;
 * 4. just before the switch, both sides are read and matched again, so a write
 *    that reached the source some other way, or a copy changed since, stops the move;
 * 5. the catalog points the tenant at the target, `active` again.
 *
 * The source keeps its copy (fence closed) until `dropCopy`. Any failure leaves the
 * tenant on its old shard with its writes open again; if even that fails, the
 * tenant stays `moving` and `resume` reopens it.
 */
export class TenantMover {
  constructor(
    private readonly catalog: DataSource,
    private readonly shard: (id: string) => Promise<DataSource>,
    private readonly progress: MoveProgress = () => undefined,
  ) {}

  async move(tenantId: string, to: string): Promise<MoveReport> {
    const tenant = await this.catalog.manager.findOneBy(Tenant, { id: tenantId });
    if (!tenant) throw new Error(`No tenant ${tenantId}`);
    if (tenant.status !== 'active') throw new Error(`Tenant ${tenantId} is ${tenant.status}, not active`);
    if (tenant.shardId === to) throw new Error(`Tenant ${tenantId} is already on shard ${to}`);
    const [source, target] = [await this.shard(tenant.shardId), await this.shard(to)];
    const blocked = await this.setTenant(tenantId, { id: tenantId, status: 'active' }, { status: 'moving', updatedAt: new Date() });
    if (!blocked.affected) throw new Error(`Tenant ${tenantId} changed state; try again`);
    let fenced = false;
    try {
      await closeFence(source, tenantId);
      fenced = true;
      await this.progress('fenced', `tenant ${tenantId}: writes paused and drained on shard ${tenant.shardId}; copying to ${to}`);
      const tables: TableReport[] = [];
      for (const entity of SHARD_ENTITIES) {
        const metadata = source.getMetadata(entity);
        await this.copy(tenantId, metadata, source, target);
        tables.push(await this.matched(tenantId, metadata, source, target));
        await this.progress('table', `  ${metadata.tableName}: ${describe(tables[tables.length - 1])} on both`);
      }
      await this.progress('copied', `tenant ${tenantId}: every table copied; checking both sides again`);
      for (const [i, entity] of SHARD_ENTITIES.entries()) {
        const again = await this.matched(tenantId, source.getMetadata(entity), source, target);
        if (differs(again, tables[i])) throw new Error(`${again.table}: the source changed during the move (${describe(tables[i])}, now ${describe(again)})`);
      }
      // The tenant may have lived on the target before, and left its fence closed there.
      await openFence(target, tenantId);
      await this.setTenant(tenantId, { id: tenantId, status: 'moving' }, { shardId: to, status: 'active', updatedAt: new Date() });
      await this.progress('switched', `tenant ${tenantId}: now on shard ${to}; the copy on ${tenant.shardId} stays until dropped`);
      return { tenantId, from: tenant.shardId, to, tables };
    } catch (error) {
      // A fence that never closed needs no reopening (and an unreachable source could not be asked).
      if (fenced) await this.reopen(tenantId, source, tenant.shardId, error as Error);
      else await this.setTenant(tenantId, { id: tenantId, status: 'moving' }, { status: 'active', updatedAt: new Date() });
      throw error;
    }
  }

  /** After a move that could not put the tenant back: reopens its writes on the shard the catalog names. */
  async resume(tenantId: string): Promise<string> {
    const tenant = await this.catalog.manager.findOneBy(Tenant, { id: tenantId });
    if (!tenant) throw new Error(`No tenant ${tenantId}`);
    if (tenant.status === 'suspended') throw new Error(`Tenant ${tenantId} is suspended`);
    await this.reopen(tenantId, await this.shard(tenant.shardId), tenant.shardId);
    return tenant.shardId;
  }

  /** Deletes a tenant's rows from a shard it no longer lives on. Its fence there stays closed. */
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

  /** Every change of the tenant's row moves its principal version: its credentials carry status and shard. */
  private setTenant(tenantId: string, where: FindOptionsWhere<Tenant>, changes: QueryDeepPartialEntity<Tenant>): Promise<UpdateResult> {
    return changingTenantPrincipals(this.catalog, tenantId, (em) => em.update(Tenant, where, changes));
  }

  private async reopen(tenantId: string, source: DataSource, shardId: string, cause?: Error): Promise<void> {
    try {
      await openFence(source, tenantId);
    } catch {
      // The catalog still says `moving`, which is true: writes stay paused, reads go on.
      const reason = cause ? `the move failed (${cause.message}) and ` : '';
      throw new Error(`${reason}the writes of tenant ${tenantId} could not be reopened on shard ${shardId}; once it is reachable run: npm run tenant:move -- ${tenantId} --resume`);
    }
    await this.setTenant(tenantId, { id: tenantId, status: 'moving' }, { status: 'active', updatedAt: new Date() });
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

  /** Both sides' summary of one table; throws when they differ. */
  private async matched(tenantId: string, metadata: EntityMetadata, source: DataSource, target: DataSource): Promise<TableReport> {
    const [from, copy] = [await this.summary(tenantId, metadata, source), await this.summary(tenantId, metadata, target)];
    if (differs(from, copy)) throw new Error(`${metadata.tableName}: copy differs (${describe(from)} vs ${describe(copy)})`);
    return from;
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
