import { Injectable } from '@nestjs/common';
import { CacheVersions } from '../../infra/cache/cache-versions';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { RecipeItemCreateDto, RecipeItemUpdateDto } from './dto/recipe-item.dto';
import type { Product, RecipeItem } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { ProductRepository } from './product.repository';
import { RecipeItemRepository } from './recipe-item.repository';
import { CATALOG_CACHE } from './stock/cache-tags';

/** Recipes nest (a bouquet can go into a basket); deeper than this is a data error. */
const MAX_RECIPE_DEPTH = 20;

/** The `recipe-items` resource: the components of compositions. */
@Injectable()
export class RecipeItemService implements ResourceHandler<RecipeItem> {
  constructor(
    private readonly items: RecipeItemRepository,
    private readonly products: ProductRepository,
    private readonly versions: CacheVersions,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<RecipeItem>> {
    return this.items.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<RecipeItem[]> {
    return this.items.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes, relationships }: ResourceInput<RecipeItemCreateDto>): Promise<RecipeItem> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    const compositionId = relationships.composition as string;
    const componentId = relationships.component as string;
    await this.check(ctx, compositionId, componentId, attributes.quantity);
    const now = new Date();
    const item = await this.items.insert(ctx, { id: id ?? uuid7(), compositionId, componentId, quantity: attributes.quantity, createdAt: now, updatedAt: now });
    await this.products.update(ctx, compositionId, { updatedAt: now });
    return item;
  }

  async update(ctx: RequestContext, id: string, { attributes, relationships }: ResourceInput<RecipeItemUpdateDto>): Promise<RecipeItem> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    const [current] = await this.items.findByIds(ctx, [id]);
    const next = {
      compositionId: (relationships.composition as string | undefined) ?? current.compositionId,
      componentId: (relationships.component as string | undefined) ?? current.componentId,
      quantity: attributes.quantity ?? current.quantity,
    };
    await this.check(ctx, next.compositionId, next.componentId, next.quantity, id);
    const now = new Date();
    await this.items.update(ctx, id, { ...next, updatedAt: now });
    await this.products.update(ctx, next.compositionId, { updatedAt: now });
    return (await this.items.findByIds(ctx, [id]))[0];
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    const [item] = await this.items.findByIds(ctx, [id]);
    await this.items.delete(ctx, id);
    await this.products.update(ctx, item.compositionId, { updatedAt: new Date() });
  }

  /**
   * A recipe item is sound when its composition is a composition, its component
   * is on sale, whole things come in whole numbers, the pair is not there yet,
   * and the component does not (even through other compositions) contain the
   * composition itself.
   */
  private async check(ctx: RequestContext, compositionId: string, componentId: string, quantity: string, itemId?: string): Promise<void> {
    const found = new Map((await this.products.findByIds(ctx, [compositionId, componentId])).map((p) => [p.id, p]));
    const composition = found.get(compositionId) as Product;
    const component = found.get(componentId) as Product;
    if (composition.kind !== 'composition') {
      throw new InventoryError(InventoryErrorCode.NotAComposition, `${composition.name} is a ${composition.kind}, not a composition.`, {
        pointer: '/data/relationships/composition/data',
      });
    }
    if (component.archived) {
      throw new InventoryError(InventoryErrorCode.ProductArchived, `${component.name} is archived.`, { pointer: '/data/relationships/component/data' });
    }
    if (component.unit !== 'bunch' && !/^\d+$/.test(quantity)) {
      throw new InventoryError(InventoryErrorCode.FractionalQuantity, `${component.name} is sold by the ${component.unit}: use a whole number.`, {
        pointer: '/data/attributes/quantity',
      });
    }
    const pair = await this.items.findPair(ctx, compositionId, componentId);
    if (pair && pair.id !== itemId) {
      throw new InventoryError(InventoryErrorCode.DuplicateComponent, `${component.name} is already in this composition; change its quantity instead.`, {
        pointer: '/data/relationships/component/data',
      });
    }
    if (await this.contains(ctx, componentId, compositionId)) {
      throw new InventoryError(InventoryErrorCode.RecipeCycle, `${component.name} contains ${composition.name}: a recipe cannot contain itself.`, {
        pointer: '/data/relationships/component/data',
      });
    }
  }

  /** Whether `outer` is `inner` or contains it at any depth: one query per recipe level. */
  private async contains(ctx: RequestContext, outer: string, inner: string): Promise<boolean> {
    let frontier = [outer];
    const seen = new Set(frontier);
    for (let depth = 0; frontier.length && depth < MAX_RECIPE_DEPTH; depth++) {
      if (frontier.includes(inner)) return true;
      frontier = (await this.items.componentsOf(ctx, frontier)).filter((id) => !seen.has(id));
      frontier.forEach((id) => seen.add(id));
    }
    return frontier.includes(inner);
  }
}
