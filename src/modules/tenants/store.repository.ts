import { Injectable } from '@nestjs/common';
import { type EntityManager, type FindOptionsOrder, type FindOptionsWhere, In } from 'typeorm';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { Store } from './entities';

/** Stores on the tenant's shard. Every statement is scoped by `ctx.tenantId`. */
@Injectable()
export class StoreRepository {
  constructor(private readonly shards: ShardRegistry) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Store>> {
    const where: FindOptionsWhere<Store> = { tenantId: ctx.tenantId };
    for (const [attribute, values] of Object.entries(query.filter)) {
      (where as Record<string, unknown>)[attribute] = In(values);
    }
    const order: Record<string, 'ASC' | 'DESC'> = {};
    for (const { attribute, descending } of query.sort) order[attribute] = descending ? 'DESC' : 'ASC';
    order.id ??= 'ASC';
    const em = await this.shards.manager(ctx);
    const [items, total] = await em.findAndCount(Store, {
      where,
      order: order as FindOptionsOrder<Store>,
      skip: (query.page.number - 1) * query.page.size,
      take: query.page.size,
    });
    return { items, total };
  }

  async findById(ctx: RequestContext, id: string, em?: EntityManager): Promise<Store | null> {
    return (em ?? (await this.shards.manager(ctx))).findOneBy(Store, { tenantId: ctx.tenantId, id });
  }

  async insert(em: EntityManager, ctx: RequestContext, store: Omit<Store, 'tenantId'>): Promise<Store> {
    const row = em.create(Store, { ...store, tenantId: ctx.tenantId });
    await em.insert(Store, row);
    return row;
  }

  async update(em: EntityManager, ctx: RequestContext, id: string, changes: Partial<Pick<Store, 'name' | 'address' | 'timeZone' | 'updatedAt'>>): Promise<boolean> {
    const result = await em.update(Store, { tenantId: ctx.tenantId, id }, changes);
    return (result.affected ?? 0) > 0;
  }

  async delete(em: EntityManager, ctx: RequestContext, id: string): Promise<boolean> {
    const result = await em.delete(Store, { tenantId: ctx.tenantId, id });
    return (result.affected ?? 0) > 0;
  }
}
