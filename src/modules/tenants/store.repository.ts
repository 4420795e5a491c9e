import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { findResourcePage } from '../../infra/database/resource-page';
import { lockClause, lockStore } from '../../infra/database/row-locks';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { DeviceToken, Store, UserStore } from './entities';

/**
 * The shard tables whose rows keep a store from being deleted, with the column
 * that names it (each indexed by tenant and that column) and what the rows are:
 * its stock history, its orders or its sales. Inventory's and sales' tables, read here by
 * name: the store's deletion must see them, and those modules depend on stores,
 * not the other way round.
 */
const SHARD_USES = [
  ['stock_levels', 'store_id', 'stock'],
  ['stock_batches', 'store_id', 'stock'],
  ['stock_movements', 'store_id', 'stock'],
  ['goods_receipts', 'store_id', 'stock'],
  ['write_offs', 'store_id', 'stock'],
  ['transfers', 'from_store_id', 'stock'],
  ['transfers', 'to_store_id', 'stock'],
  ['stock_counts', 'store_id', 'stock'],
  ['orders', 'store_id', 'orders'],
  ['sales', 'store_id', 'sales'],
] as const;

/** What keeps a store from being deleted: its stock history, its orders or sales, or the people and devices bound to it. */
export type StoreUse = { kind: 'stock' | 'orders' | 'sales' } | { kind: 'employees' | 'devices'; count: number };

/**
 * Stores on the tenant's shard. Every statement is scoped by `ctx.tenantId`, and
 * reads by the caller's stores: a florist sees only the stores they work in.
 */
@Injectable()
export class StoreRepository {
  constructor(
    private readonly shards: ShardRegistry,
    private readonly catalog: CatalogDatabase,
  ) {}

  private async scoped(ctx: RequestContext) {
    const qb = (await this.shards.manager(ctx)).createQueryBuilder(Store, 's').where('s.tenantId = :tenantId', { tenantId: ctx.tenantId });
    if (ctx.storeIds !== 'all') qb.andWhere('s.id IN (:...scope)', { scope: ctx.storeIds.length ? ctx.storeIds : ['-'] });
    return qb;
  }

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Store>> {
    return findResourcePage(await this.scoped(ctx), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Store[]> {
    return (await this.scoped(ctx)).andWhere('s.id IN (:...ids)', { ids }).getMany();
  }

  async insert(ctx: RequestContext, store: Omit<Store, 'tenantId'>): Promise<Store> {
    const row = { ...store, tenantId: ctx.tenantId };
    await (await this.shards.manager(ctx)).insert(Store, row);
    return row;
  }

  async update(ctx: RequestContext, id: string, changes: Partial<Pick<Store, 'name' | 'address' | 'timeZone' | 'updatedAt'>>): Promise<void> {
    await (await this.shards.manager(ctx)).update(Store, { tenantId: ctx.tenantId, id }, changes);
  }

  /**
   * What uses the store, if anything. On the shard with locking reads: a stock
   * write still running in the store is waited for, then seen. Employees and
   * devices are in the catalog (a read of its own: the shard transaction cannot
   * span it).
   */
  async usage(ctx: RequestContext, id: string): Promise<StoreUse | undefined> {
    const em = await this.shards.manager(ctx);
    const lock = lockClause(em, 'share');
    for (const [table, column, kind] of SHARD_USES) {
      // Table and column names are constants of this file, never input.
      const rows: unknown[] = await em.query(`SELECT 1 AS used FROM ${table} WHERE tenant_id = ? AND ${column} = ? LIMIT 1${lock}`, [ctx.tenantId, id]);
      if (rows.length) return { kind };
    }
    const catalog = this.catalog.managerFor(ctx);
    const employees = await catalog.countBy(UserStore, { tenantId: ctx.tenantId, storeId: id });
    if (employees) return { kind: 'employees', count: employees };
    const devices = await catalog.countBy(DeviceToken, { tenantId: ctx.tenantId, storeId: id, revokedAt: IsNull() });
    if (devices) return { kind: 'devices', count: devices };
    return undefined;
  }

  /** Locks the store's row for its deletion until the transaction ends: writers that hold it shared (stock, orders) are waited for first. */
  async lockForChange(ctx: RequestContext, id: string): Promise<void> {
    await lockStore(await this.shards.manager(ctx), ctx.tenantId, id, 'update');
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await (await this.shards.manager(ctx)).delete(Store, { tenantId: ctx.tenantId, id });
  }
}
