import { Injectable } from '@nestjs/common';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { Store } from './entities';

/**
 * Stores on the tenant's shard. Every statement is scoped by `ctx.tenantId`, and
 * reads by the caller's stores: a florist sees only the stores they work in.
 */
@Injectable()
export class StoreRepository {
  constructor(private readonly shards: ShardRegistry) {}

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

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await (await this.shards.manager(ctx)).delete(Store, { tenantId: ctx.tenantId, id });
  }
}
