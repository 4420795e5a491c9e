import { Injectable } from '@nestjs/common';
import { Permission } from '../../infra/auth/permissions';
import { uuid7 } from '../../infra/database/uuid7';
import type { ResourceInput } from '../../infra/json-api/resource-handler';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ActingEmployees } from '../tenants';
import type { StockCountCreateDto, StockCountLineCreateDto } from './dto/stock-document.dto';
import type { StockCount, StockCountLine } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { ProductRepository } from './product.repository';
import { StockCountLineRepository, StockCountRepository } from './stock-document.repository';
import { StockLedger } from './stock-ledger.service';
import { checkOpen, openDocument } from './stock/open-documents';
import { fromMilli, toMilli } from './stock/quantity';
import { expiryOf } from './stock/shelf-life';
import { checkWhole } from './stock/stock-demand';
import { StockDocumentLineService, StockDocumentService, documentTime, stockedProduct } from './stock/stock-document.service';

/** The `stock-counts` resource: what a store really has. */
@Injectable()
export class StockCountService extends StockDocumentService<StockCount, StockCountLine> {
  constructor(
    counts: StockCountRepository,
    lines: StockCountLineRepository,
    private readonly employees: ActingEmployees,
  ) {
    super(counts, lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<StockCountCreateDto>): Promise<StockCount> {
    const storeId = relationships.store as string;
    const employeeId = await this.employees.of(ctx, relationships, storeId, Permission.StockWrite);
    const now = new Date();
    const [count] = await this.documents.insert(ctx, [
      { id: id ?? uuid7(), storeId, employeeId, note: a.note ?? null, countedAt: documentTime(a.countedAt, 'countedAt'), createdAt: now, updatedAt: now },
    ]);
    openDocument(ctx, count.id);
    return count;
  }
}

/**
 * The `stock-count-lines` resource: the level becomes what was counted. Less
 * than the level is taken first-expiring-first; more settles any stock sold
 * before it was received, and the rest becomes a batch at the last known cost.
 */
@Injectable()
export class StockCountLineService extends StockDocumentLineService<StockCountLine> {
  constructor(
    lines: StockCountLineRepository,
    private readonly counts: StockCountRepository,
    private readonly products: ProductRepository,
    private readonly ledger: StockLedger,
  ) {
    super(lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<StockCountLineCreateDto>): Promise<StockCountLine> {
    const countId = relationships.stockCount as string;
    checkOpen(ctx, 'stock-counts', countId, 'stockCount');
    const product = await stockedProduct(ctx, this.products, relationships.product as string);
    const counted = toMilli(a.countedQuantity);
    checkWhole(product, counted, '/data/attributes/countedQuantity');
    if ((await this.lines.ofDocument(ctx, countId)).some((l) => l.productId === product.id)) {
      throw new InventoryError(InventoryErrorCode.InvalidStockDocument, `${product.name} is counted already in this count.`, { pointer: '/data/relationships/product/data' });
    }
    const [count] = await this.counts.byIds(ctx, [countId]);
    const info = { kind: 'adjustment' as const, occurredAt: count.countedAt, reason: 'stock count', document: { type: 'stock-counts' as const, id: count.id }, employeeId: count.employeeId };
    const { expected, difference, cost } = await this.ledger.session(ctx, count.storeId, [product.id], [product.id], async (session) => {
      const before = session.level(product.id);
      const delta = counted - before;
      const effect =
        delta < 0
          ? await session.take({ line: 0, productId: product.id, quantity: -delta, product }, info)
          : delta > 0
            ? await session.put(
                { productId: product.id, quantity: delta, unitCost: null, source: 'adjustment', receivedAt: count.countedAt, expiresAt: expiryOf(product.shelfLifeDays, count.countedAt) },
                info,
              )
            : { cost: 0 };
      return { expected: before, difference: delta, cost: effect.cost };
    });
    const [line] = await this.lines.insert(ctx, [
      {
        id: id ?? uuid7(),
        documentId: count.id,
        productId: product.id,
        quantity: fromMilli(counted),
        expectedQuantity: fromMilli(expected),
        difference: fromMilli(difference),
        cost,
        createdAt: new Date(),
      },
    ]);
    await this.counts.update(ctx, count.id, { updatedAt: new Date() });
    return line;
  }
}
