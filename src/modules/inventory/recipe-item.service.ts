import { Injectable } from '@nestjs/common';
import { CacheVersions } from '../../infra/cache/cache-versions';
import { uuid7 } from '../../infra/database/uuid7';
import { JsonApiError, JsonApiErrorCode } from '../../infra/json-api/json-api.errors';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { RecipeItemCreateDto, RecipeItemUpdateDto } from './dto/recipe-item.dto';
import type { Product, RecipeItem } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { MAX_RECIPE_DEPTH } from './stock/stock-demand';
import { ProductRepository } from './product.repository';
import { RecipeItemRepository } from './recipe-item.repository';
import { CATALOG_CACHE } from './stock/cache-tags';

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
    await this.items.lockRecipes(ctx);
    await this.check(ctx, compositionId, componentId, attributes.quantity);
    const now = new Date();
    const item = await this.items.insert(ctx, { id: id ?? uuid7(), compositionId, componentId, quantity: attributes.quantity, createdAt: now, updatedAt: now });
    await this.products.update(ctx, compositionId, { updatedAt: now });
    return item;
  }

  async update(ctx: RequestContext, id: string, { attributes, relationships }: ResourceInput<RecipeItemUpdateDto>): Promise<RecipeItem> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    await this.items.lockRecipes(ctx);
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
   * the component does not (even through other compositions) contain the
   * composition itself, and recipes do not nest deeper than a sale may expand.
   * Run under `lockRecipes`, so no concurrent change can slip past it.
   */
  private async check(ctx: RequestContext, compositionId: string, componentId: string, quantity: string, itemId?: string): Promise<void> {
    const found = new Map((await this.products.findForUse(ctx, [compositionId, componentId])).map((p) => [p.id, p]));
    const composition = found.get(compositionId);
    const component = found.get(componentId);
    // Deleted since the request's relationships were looked up.
    if (!composition) throw new JsonApiError(JsonApiErrorCode.RelatedNotFound, `No products with id ${compositionId}.`, { pointer: '/data/relationships/composition/data' });
    if (!component) throw new JsonApiError(JsonApiErrorCode.RelatedNotFound, `No products with id ${componentId}.`, { pointer: '/data/relationships/component/data' });
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
    const pair = await this.items.pairId(ctx, compositionId, componentId);
    if (pair && pair !== itemId) {
      throw new InventoryError(InventoryErrorCode.DuplicateComponent, `${component.name} is already in this composition; change its quantity instead.`, {
        pointer: '/data/relationships/component/data',
      });
    }
    await this.checkNesting(ctx, composition, component);
  }

  /**
   * The composition will contain the component and all it contains: refused when
   * the component contains the composition (a cycle), or when the longest chain
   * of recipes through the new item (what contains the composition, the item,
   * what the component contains) is longer than a sale expands.
   */
  private async checkNesting(ctx: RequestContext, composition: Product, component: Product): Promise<void> {
    const below = await this.levels(component.id, (ids) => this.items.componentsOf(ctx, ids), composition.id);
    if (below === 'cycle') {
      throw new InventoryError(InventoryErrorCode.RecipeCycle, `${component.name} contains ${composition.name}: a recipe cannot contain itself.`, {
        pointer: '/data/relationships/component/data',
      });
    }
    const above = (await this.levels(composition.id, (ids) => this.items.compositionsOf(ctx, ids))) as number;
    const depth = above + 1 + below;
    if (depth > MAX_RECIPE_DEPTH) {
      throw new InventoryError(InventoryErrorCode.RecipeTooDeep, `With ${component.name} in ${composition.name}, recipes would nest ${depth} levels deep; at most ${MAX_RECIPE_DEPTH} are allowed.`, {
        pointer: '/data/relationships/component/data',
      });
    }
  }

  /**
   * How many recipe levels lie beyond `start` in one direction (its longest
   * chain), one query per level; 'cycle' when `forbidden` is met on the way.
   * Stops once past the limit: the answer is then just "too deep".
   */
  private async levels(start: string, step: (ids: string[]) => Promise<string[]>, forbidden?: string): Promise<number | 'cycle'> {
    let frontier = [start];
    for (let depth = 0; ; depth++) {
      if (forbidden !== undefined && frontier.includes(forbidden)) return 'cycle';
      if (depth > MAX_RECIPE_DEPTH) return depth;
      frontier = await step(frontier);
      if (!frontier.length) return depth;
    }
  }
}
