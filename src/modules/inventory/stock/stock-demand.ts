import { Injectable } from '@nestjs/common';
import { JsonApiError, JsonApiErrorCode } from '../../../infra/json-api/json-api.errors';
import type { RequestContext } from '../../../infra/tenancy/request-context';
import type { Product } from '../entities';
import { InventoryError, InventoryErrorCode } from '../inventory.errors';
import { ProductRepository } from '../product.repository';
import { RecipeItemRepository } from '../recipe-item.repository';
import { type Milli, fromMilli, isWhole, multiply, toMilli } from './quantity';

/** One line of something that consumes stock (a sale line, a write-off line): a product and how much. */
export interface StockLineInput {
  productId: string;
  /** A positive decimal string in the product's unit: "3", "0.5" (bunches only). */
  quantity: string;
  /** Where errors about this line point, e.g. `/data/attributes/quantity`. */
  pointer?: string;
}

/** What one line takes of one counted product (a composition line yields one per component). */
export interface Demand {
  /** Index of the line it comes from. */
  line: number;
  productId: string;
  quantity: Milli;
  pointer?: string;
  /** For messages: the product, and the composition it is part of. */
  product: Product;
  partOf?: Product;
}

/** Recipes nest (a bouquet in a basket) at most this many levels below what is sold; recipe writes refuse more. */
export const MAX_RECIPE_DEPTH = 20;
const POSITIVE_QUANTITY = /^(?!0+(\.0+)?$)\d{1,9}(\.\d{1,3})?$/;

export const invalidQuantity = (pointer: string | undefined, detail: string) =>
  new InventoryError(InventoryErrorCode.InvalidStockDocument, detail, pointer === undefined ? undefined : { pointer });

/** Stems and pieces come whole; a bunch may be split. */
export function checkWhole(product: Product, quantity: Milli, pointer?: string): void {
  if (product.unit !== 'bunch' && !isWhole(quantity)) {
    throw new InventoryError(InventoryErrorCode.FractionalQuantity, `${product.name} is counted by the ${product.unit}: use a whole number, not ${fromMilli(quantity)}.`, pointer === undefined ? undefined : { pointer });
  }
}

/**
 * Turns lines into what they take from stock: a product that tracks stock takes
 * itself; a composition that does not (the usual case: bouquets are made to
 * order) takes its recipe's components, recursively, each multiplied by the
 * line's quantity; anything else (services, untracked goods) takes nothing.
 * One query per recipe level.
 */
@Injectable()
export class StockDemand {
  constructor(
    private readonly products: ProductRepository,
    private readonly recipes: RecipeItemRepository,
  ) {}

  async expand(ctx: RequestContext, lines: readonly StockLineInput[]): Promise<Demand[]> {
    const quantities = lines.map((line) => {
      if (typeof line.quantity !== 'string' || !POSITIVE_QUANTITY.test(line.quantity)) {
        throw invalidQuantity(line.pointer, 'quantity must be a positive decimal string such as "3" or "0.5" (at most 3 decimals).');
      }
      return toMilli(line.quantity);
    });
    const known = new Map((await this.products.findForUse(ctx, lines.map((l) => l.productId))).map((p) => [p.id, p]));
    let frontier: Demand[] = lines.map((line, i) => {
      const product = known.get(line.productId);
      if (!product) throw new JsonApiError(JsonApiErrorCode.RelatedNotFound, `No products with id ${line.productId}.`, line.pointer === undefined ? undefined : { pointer: line.pointer });
      checkWhole(product, quantities[i], line.pointer);
      return { line: i, productId: product.id, quantity: quantities[i], pointer: line.pointer, product };
    });

    const demands: Demand[] = [];
    for (let depth = 0; frontier.length; depth++) {
      if (depth > MAX_RECIPE_DEPTH) {
        // Recipe writes refuse this; only recipes stored before they did can get here.
        const { partOf, pointer } = frontier[0];
        throw new InventoryError(InventoryErrorCode.RecipeTooDeep, `${partOf?.name}’s recipe nests more than ${MAX_RECIPE_DEPTH} levels deep (or contains itself): fix its recipe.`, pointer === undefined ? undefined : { pointer });
      }
      const expanding = frontier.filter((d) => !d.product.trackStock && d.product.kind === 'composition');
      demands.push(...frontier.filter((d) => d.product.trackStock));
      const items = await this.recipes.recipesOf(ctx, [...new Set(expanding.map((d) => d.productId))]);
      const missing = [...new Set(items.map((i) => i.componentId))].filter((id) => !known.has(id));
      for (const product of await this.products.findForUse(ctx, missing)) known.set(product.id, product);
      frontier = expanding.flatMap((d) =>
        items
          .filter((item) => item.compositionId === d.productId && known.has(item.componentId))
          .map((item) => ({
            line: d.line,
            productId: item.componentId,
            quantity: multiply(d.quantity, toMilli(item.quantity)),
            pointer: d.pointer,
            product: known.get(item.componentId)!,
            partOf: d.partOf ?? d.product,
          })),
      );
    }
    return demands;
  }
}
