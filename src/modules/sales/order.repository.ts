import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import { Permission } from '../../infra/auth/permissions';
import { findResourcePage } from '../../infra/database/resource-page';
import { lockClause, lockStore } from '../../infra/database/row-locks';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { applyRecordScope, recordScope } from '../../infra/tenancy/record-scope';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { Order, OrderLine, OrderNumber } from './entities';
import { nextNumber } from './numbering';
import { OwnedRows } from './owned-rows';

const ORDER_SCOPE = { store: 'storeId', assignee: 'courierId' } as const;

/**
 * Orders on the tenant's shard. What callers read (`findPage`, `findByIds`) is
 * the caller's record scope: the orders of their stores, and for a courier only
 * those assigned to them. Every read that answers a caller goes through these
 * two (lists, get-one, includes, related and relationship endpoints, the
 * existence checks of writes and atomic operations), so an order outside the
 * scope is missing everywhere alike. `byId` sees the whole tenant, for the
 * service's own checks after the scope has let the request through.
 */
@Injectable()
export class OrderRepository {
  constructor(private readonly shards: ShardRegistry) {}

  /** The caller's orders: the tenant, then the record scope. */
  async visible(ctx: RequestContext, alias = 'o'): Promise<SelectQueryBuilder<Order>> {
    const qb = (await this.shards.manager(ctx)).createQueryBuilder(Order, alias).where(`${alias}.tenantId = :tenantId`, { tenantId: ctx.tenantId });
    return applyRecordScope(qb, alias, recordScope(ctx, Permission.OrdersRead), ORDER_SCOPE);
  }

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Order>> {
    return findResourcePage(await this.visible(ctx), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Order[]> {
    if (!ids.length) return [];
    return (await this.visible(ctx)).andWhere('o.id IN (:...ids)', { ids: [...ids] }).getMany();
  }

  /** Whether the order's store exists, held shared until the commit so that it cannot be deleted under the order (`lockStore`). */
  async holdStore(ctx: RequestContext, storeId: string): Promise<boolean> {
    return lockStore(await this.shards.manager(ctx), ctx.tenantId, storeId, 'share');
  }

  /** One order of the tenant, locked against a concurrent change until the transaction ends (MySQL). */
  async forChange(ctx: RequestContext, id: string): Promise<Order | undefined> {
    const em = await this.shards.manager(ctx);
    const lock = lockClause(em, 'update');
    if (lock) await em.query(`SELECT id FROM orders WHERE tenant_id = ? AND id = ?${lock}`, [ctx.tenantId, id]);
    return (await em.findBy(Order, { tenantId: ctx.tenantId, id }))[0];
  }

  async insert(ctx: RequestContext, order: Omit<Order, 'tenantId'>): Promise<Order> {
    const row = { ...order, tenantId: ctx.tenantId };
    await (await this.shards.manager(ctx)).insert(Order, row);
    return row;
  }

  async update(ctx: RequestContext, id: string, changes: Partial<Omit<Order, 'tenantId' | 'id'>>): Promise<void> {
    await (await this.shards.manager(ctx)).update(Order, { tenantId: ctx.tenantId, id }, changes);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const em = await this.shards.manager(ctx);
    await em.delete(OrderLine, { tenantId: ctx.tenantId, orderId: id });
    await em.delete(Order, { tenantId: ctx.tenantId, id });
  }

  /** The tenant's next order number (`nextNumber`: the counter row stays locked until the commit). */
  async nextNumber(ctx: RequestContext): Promise<number> {
    return nextNumber(await this.shards.manager(ctx), OrderNumber, ctx.tenantId);
  }
}

/** Order lines: each visible exactly when its order is (the order's record scope). */
@Injectable()
export class OrderLineRepository extends OwnedRows<OrderLine> {
  constructor(shards: ShardRegistry, orders: OrderRepository) {
    super(shards, OrderLine, 'ol', 'orderId', async (ctx) => (await orders.visible(ctx, 'so')).select('so.id'));
  }
}
