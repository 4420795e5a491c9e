import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { RecipeItem } from './entities';
import { lockClause, placeholders } from '../../infra/database/row-locks';

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

  /**
   * Serialises recipe changes within the tenant until the transaction ends (its
   * row in `inventory_locks`, locked exclusively on MySQL; the embedded profile
   * runs one transaction at a time): two changes that are each sound alone can
   * close a cycle together, so each must check what the other committed.
   * Together with the locking reads below, the checks see every committed item.
   */
  async lockRecipes(ctx: RequestContext): Promise<void> {
    const em = await this.shards.manager(ctx);
    // "On duplicate key update" takes the existing row's exclusive lock at once.
    if (lockClause(em, 'update')) await em.query("INSERT INTO inventory_locks (tenant_id, name) VALUES (?, 'recipes') ON DUPLICATE KEY UPDATE name = name", [ctx.tenantId]);
  }

  /** The id of the item pairing these two, if there is one (a locking read). */
  async pairId(ctx: RequestContext, compositionId: string, componentId: string): Promise<string | null> {
    const em = await this.shards.manager(ctx);
    const rows: Array<{ id: string }> = await em.query(
      `SELECT id FROM recipe_items WHERE tenant_id = ? AND composition_id = ? AND component_id = ? LIMIT 1${lockClause(em, 'share')}`,
      [ctx.tenantId, compositionId, componentId],
    );
    return rows[0]?.id ?? null;
  }

  /** The components of these compositions: one level down the recipe graph (a locking read). */
  componentsOf(ctx: RequestContext, compositionIds: readonly string[]): Promise<string[]> {
    return this.neighbours(ctx, 'composition_id', 'component_id', compositionIds);
  }

  /** The compositions these products are components of: one level up the recipe graph (a locking read). */
  compositionsOf(ctx: RequestContext, componentIds: readonly string[]): Promise<string[]> {
    return this.neighbours(ctx, 'component_id', 'composition_id', componentIds);
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

  private async neighbours(ctx: RequestContext, from: 'composition_id' | 'component_id', to: 'composition_id' | 'component_id', ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    const em = await this.shards.manager(ctx);
    const rows: Array<{ id: string }> = await em.query(
      `SELECT DISTINCT ${to} AS id FROM recipe_items WHERE tenant_id = ? AND ${from} IN (${placeholders(ids)})${lockClause(em, 'share')}`,
      [ctx.tenantId, ...ids],
    );
    return rows.map((r) => r.id);
  }
}
