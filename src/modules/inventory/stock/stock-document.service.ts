import { JsonApiError, JsonApiErrorCode } from '../../../infra/json-api/json-api.errors';
import type { Page } from '../../../infra/json-api/pagination';
import type { Linkage, ResourceHandler } from '../../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../../infra/json-api/resource-query';
import type { RequestContext } from '../../../infra/tenancy/request-context';
import type { Product, StockDocumentLine } from '../entities';
import { InventoryError, InventoryErrorCode } from '../inventory.errors';
import type { ProductRepository } from '../product.repository';
import type { StockDocumentLines } from '../stock-document.repository';
import type { TenantRows } from './tenant-rows';

/** A clock skew allowance for document times sent by devices. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** A document time from the client (now by default); refused when in the future. */
export function documentTime(raw: string | undefined, attribute: string): Date {
  if (raw === undefined) return new Date();
  const at = new Date(raw);
  if (at.getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
    throw new InventoryError(InventoryErrorCode.InvalidStockDocument, `${attribute} cannot be in the future.`, { pointer: `/data/attributes/${attribute}` });
  }
  return at;
}

/** The product of a line, locked against deletion or a change of unit while the line is written (`findForUse`). */
export async function productForUse(ctx: RequestContext, products: ProductRepository, productId: string): Promise<Product> {
  const [product] = await products.findForUse(ctx, [productId]);
  // Deleted since the request's relationships were looked up.
  if (!product) throw new JsonApiError(JsonApiErrorCode.RelatedNotFound, `No products with id ${productId}.`, { pointer: '/data/relationships/product/data' });
  return product;
}

/** The product of a line; 422 when it does not track stock (nothing to receive, move or count). */
export async function stockedProduct(ctx: RequestContext, products: ProductRepository, productId: string): Promise<Product> {
  const product = await productForUse(ctx, products, productId);
  if (!product.trackStock) {
    throw new InventoryError(InventoryErrorCode.NotStockTracked, `${product.name} does not track stock (trackStock: false).`, { pointer: '/data/relationships/product/data' });
  }
  return product;
}

/** What every stock document resource reads: pages, ids, and its lines' linkage. */
export abstract class StockDocumentService<H extends { id: string; tenantId: string }, L extends StockDocumentLine> implements ResourceHandler<H> {
  protected constructor(
    protected readonly documents: TenantRows<H>,
    protected readonly lines: StockDocumentLines<L>,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<H>> {
    return this.documents.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<H[]> {
    return this.documents.findByIds(ctx, ids);
  }

  linkage(ctx: RequestContext, _relationship: string, records: readonly H[]): Promise<Map<string, Linkage>> {
    return this.lines.idsByDocument(ctx, records.map((r) => r.id));
  }

  protected async one(ctx: RequestContext, id: string): Promise<H> {
    const [document] = await this.documents.byIds(ctx, [id]);
    return document;
  }
}

/** What every line resource reads. */
export abstract class StockDocumentLineService<L extends StockDocumentLine> implements ResourceHandler<L> {
  protected constructor(protected readonly lines: StockDocumentLines<L>) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<L>> {
    return this.lines.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<L[]> {
    return this.lines.findByIds(ctx, ids);
  }
}
