import { Injectable } from '@nestjs/common';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { lockClause } from '../../infra/database/row-locks';

export type ProductUse = 'stock' | 'sales' | 'orders' | 'recipes';

/**
 * The tables whose rows keep a product, the column that names it, and what the
 * rows are, in the order they are asked. Stock movements are not read: each
 * names a store and product whose level exists (the invariant checks that), and
 * the ledger has no index by product alone. The sales module's lines are read
 * here by name: a product's deletion must see them (a line left without its
 * product), and sales depend on products, not the other way round.
 */
const USES: ReadonlyArray<readonly [table: string, column: string, use: ProductUse]> = [
  ...['stock_levels', 'stock_batches', 'goods_receipt_lines', 'write_off_lines', 'transfer_lines', 'stock_count_lines'].map((table) => [table, 'product_id', 'stock'] as const),
  ['sale_lines', 'product_id', 'sales'],
  ['order_lines', 'product_id', 'orders'],
  ['recipe_items', 'composition_id', 'recipes'],
  ['recipe_items', 'component_id', 'recipes'],
];

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
    for (const [table, column, use] of USES) if (await this.any(ctx, table, column, productId)) return use;
    return undefined;
  }

  /** Whether the product is a composition with components. */
  async hasComponents(ctx: RequestContext, productId: string): Promise<boolean> {
    return this.any(ctx, 'recipe_items', 'composition_id', productId);
  }

  private async any(ctx: RequestContext, table: string, column: string, productId: string): Promise<boolean> {
    const em = await this.shards.manager(ctx);
    // Table and column names are constants of this file, never input.
    const rows: unknown[] = await em.query(`SELECT 1 AS used FROM ${table} WHERE tenant_id = ? AND ${column} = ? LIMIT 1${lockClause(em, 'share')}`, [ctx.tenantId, productId]);
    return rows.length > 0;
  }
}
