import { Injectable } from '@nestjs/common';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { lockClause } from '../../infra/database/row-locks';

/**
 * Tables whose rows give a product a stock history. Movements are not read: each
 * names a store and product whose level exists (the invariant checks that), and
 * the ledger has no index by product alone.
 */
const STOCK_TABLES = ['stock_levels', 'stock_batches', 'goods_receipt_lines', 'write_off_lines', 'transfer_lines', 'stock_count_lines'] as const;

/**
 * The sales module's lines, read here by name: a product's deletion must see them
 * (a line left without its product), and sales depend on products, not the other way round.
 */
const SALE_TABLES = ['sale_lines'] as const;
const ORDER_TABLES = ['order_lines'] as const;

export type ProductUse = 'stock' | 'sales' | 'orders' | 'recipes';

/** Where a product is used, read across the inventory tables of the tenant's shard. */
@Injectable()
export class ProductUsageRepository {
  constructor(private readonly shards: ShardRegistry) {}

  /**
   * Whether the product has stock history, has been sold or ordered, or is in a recipe (as composition or
   * component). Locking reads inside a transaction: after `lockForChange` they
   * see every write that used the product, even one that committed after this
   * transaction's snapshot.
   */
  async of(ctx: RequestContext, productId: string): Promise<ProductUse | undefined> {
    if (await this.any(ctx, STOCK_TABLES, 'product_id', productId)) return 'stock';
    if (await this.any(ctx, SALE_TABLES, 'product_id', productId)) return 'sales';
    if (await this.any(ctx, ORDER_TABLES, 'product_id', productId)) return 'orders';
    if (await this.any(ctx, ['recipe_items'], 'composition_id', productId)) return 'recipes';
    if (await this.any(ctx, ['recipe_items'], 'component_id', productId)) return 'recipes';
    return undefined;
  }

  /** Whether the product is a composition with components. */
  async hasComponents(ctx: RequestContext, productId: string): Promise<boolean> {
    return this.any(ctx, ['recipe_items'], 'composition_id', productId);
  }

  private async any(ctx: RequestContext, tables: readonly string[], column: string, productId: string): Promise<boolean> {
    const em = await this.shards.manager(ctx);
    const lock = lockClause(em, 'share');
    for (const table of tables) {
      // Table and column names are constants of this file, never input.
      const rows: unknown[] = await em.query(`SELECT 1 AS used FROM ${table} WHERE tenant_id = ? AND ${column} = ? LIMIT 1${lock}`, [ctx.tenantId, productId]);
      if (rows.length) return true;
    }
    return false;
  }
}
