import { Injectable } from '@nestjs/common';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { StockLevel } from './entities';
import { type ShardCtx, TenantRows } from './stock/tenant-rows';

/** A level as the API shows it. */
export type StockLevelRecord = StockLevel & { inStock: boolean };

const withInStock = (level: StockLevel): StockLevelRecord => Object.assign(level, { inStock: !level.quantity.startsWith('-') && level.quantity !== '0' });

/** Stock levels on the tenant's shard; every statement scoped by tenant. */
@Injectable()
export class StockLevelRepository extends TenantRows<StockLevel> {
  constructor(shards: ShardRegistry) {
    super(shards, StockLevel, 'l', { columns: ['storeId'] });
  }

  /** `filter[inStock]` is quantity > 0 (true) or <= 0 (false); the rest is the generic page. */
  override async findPage(ctx: ShardCtx, query: ResourceQuery): Promise<Page<StockLevelRecord>> {
    const qb = await this.visible(ctx);
    const inStock = new Set(query.filter.filter((f) => f.field === 'inStock').flatMap((f) => f.values));
    if (inStock.size === 1) qb.andWhere(inStock.has(true) ? 'l.quantity > 0' : 'l.quantity <= 0');
    const page = await findResourcePage(qb, { ...query, filter: query.filter.filter((f) => f.field !== 'inStock') });
    return { ...page, items: page.items.map(withInStock) };
  }

  override async findByIds(ctx: ShardCtx, ids: readonly string[]): Promise<StockLevelRecord[]> {
    return (await super.findByIds(ctx, ids)).map(withInStock);
  }

  /**
   * The levels of these products in the store, created at zero where missing,
   * locked until the transaction ends (`FOR UPDATE` on MySQL; the embedded
   * profile runs one transaction at a time). Every change of stock starts here:
   * the level rows serialise concurrent changes of the same store and product.
   * Rows are created and locked in product order, so two transactions never
   * wait on each other in a circle. `created` says whether a row is new: a new
   * row changes the store's stock-levels read even if no movement follows.
   */
  async lock(ctx: ShardCtx, storeId: string, productIds: readonly string[]): Promise<{ levels: Map<string, StockLevel>; created: boolean }> {
    const ids = [...new Set(productIds)].sort();
    if (!ids.length) return { levels: new Map(), created: false };
    const em = await this.shards.manager(ctx);
    const mysql = em.connection.options.type === 'mysql';
    const now = new Date();
    const rows = ids.map((productId) => ({ tenantId: ctx.tenantId, id: uuid7(), storeId, productId, quantity: '0', createdAt: now, updatedAt: now }));
    const insert = em.createQueryBuilder().insert().into(StockLevel).values(rows).updateEntity(false);
    // On MySQL, "on duplicate key update" takes the existing row's exclusive lock at once
    // (INSERT IGNORE would take a shared one, and two of those upgrading deadlock).
    await (mysql ? insert.orUpdate(['tenant_id'], ['tenant_id', 'store_id', 'product_id']) : insert.orIgnore()).execute();
    const qb = (await this.scoped(ctx)).andWhere('l.storeId = :storeId AND l.productId IN (:...ids)', { storeId, ids }).orderBy('l.productId');
    if (mysql) qb.setLock('pessimistic_write');
    const levels = await qb.getMany();
    const inserted = new Set(rows.map((row) => row.id));
    return { levels: new Map(levels.map((level) => [level.productId, level])), created: levels.some((level) => inserted.has(level.id)) };
  }

  async setQuantity(ctx: ShardCtx, id: string, quantity: string, updatedAt: Date): Promise<void> {
    await this.update(ctx, id, { quantity, updatedAt });
  }

  /** The tenants with stock on this shard (for the invariant check over a whole shard). */
  async tenants(ctx: ShardCtx): Promise<string[]> {
    const rows = await (await this.shards.manager(ctx)).createQueryBuilder(StockLevel, 'l').select('DISTINCT l.tenantId', 'tenantId').getRawMany<{ tenantId: string }>();
    return rows.map((r) => r.tenantId);
  }

  /** Every level of the tenant (or of one store), for the invariant check. */
  async all(ctx: ShardCtx, storeId?: string): Promise<StockLevel[]> {
    const qb = await this.scoped(ctx);
    if (storeId) qb.andWhere('l.storeId = :storeId', { storeId });
    return qb.getMany();
  }
}
