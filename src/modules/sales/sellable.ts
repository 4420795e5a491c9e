import type { RequestContext } from '../../infra/tenancy/request-context';
import type { Product } from '../inventory/entities';
import { InventoryError, InventoryErrorCode } from '../inventory/inventory.errors';
import type { ProductRepository } from '../inventory/product.repository';
import { productForUse } from '../inventory/stock/stock-document.service';

/** The product of a line that sells it (an order's, a sale's): locked for the write (`productForUse`), and not archived. */
export async function sellableProduct(ctx: RequestContext, products: ProductRepository, productId: string): Promise<Product> {
  const product = await productForUse(ctx, products, productId);
  if (product.archived) {
    throw new InventoryError(InventoryErrorCode.ProductArchived, `${product.name} is archived: it is no longer sold.`, { pointer: '/data/relationships/product/data' });
  }
  return product;
}
