import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { RecipeItem } from './entities';

/** Recipe items on the tenant's shard; every statement scoped by tenant. */
@Injectable()
export class RecipeItemRepository {
  constructor(private readonly shards: ShardRegistry) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<RecipeItem>> {
    const em = await this.shards.manager(ctx);
    return findResourcePage(em.createQueryBuilder(RecipeItem, 'r').where('r.tenantId = :tenantId', { tenantId: ctx.tenantId }), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<RecipeItem[]> {
    return (await this.shards.manager(ctx)).findBy(RecipeItem, { tenantId: ctx.tenantId, id: In([...ids]) });
  }

  async findPair(ctx: RequestContext, compositionId: string, componentId: string): Promise<RecipeItem | null> {
    return (await this.shards.manager(ctx)).findOneBy(RecipeItem, { tenantId: ctx.tenantId, compositionId, componentId });
  }

  /** The components of these compositions (one level down the recipe graph). */
  async componentsOf(ctx: RequestContext, compositionIds: readonly string[]): Promise<string[]> {
    const rows = await (await this.shards.manager(ctx)).find(RecipeItem, {
      select: { componentId: true },
      where: { tenantId: ctx.tenantId, compositionId: In([...compositionIds]) },
    });
    return [...new Set(rows.map((r) => r.componentId))];
  }

  /** The recipe items of these compositions: one query for the batch. */
  async recipesOf(ctx: RequestContext, compositionIds: readonly string[]): Promise<RecipeItem[]> {
    if (!compositionIds.length) return [];
    return (await this.shards.manager(ctx)).find(RecipeItem, {
      where: { tenantId: ctx.tenantId, compositionId: In([...compositionIds]) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async insert(ctx: RequestContext, item: Omit<RecipeItem, 'tenantId'>): Promise<RecipeItem> {
    const row = { ...item, tenantId: ctx.tenantId };
    await (await this.shards.manager(ctx)).insert(RecipeItem, row);
    return row;
  }

  async update(ctx: RequestContext, id: string, changes: Partial<Pick<RecipeItem, 'quantity' | 'compositionId' | 'componentId' | 'updatedAt'>>): Promise<void> {
    await (await this.shards.manager(ctx)).update(RecipeItem, { tenantId: ctx.tenantId, id }, changes);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await (await this.shards.manager(ctx)).delete(RecipeItem, { tenantId: ctx.tenantId, id });
  }
}
