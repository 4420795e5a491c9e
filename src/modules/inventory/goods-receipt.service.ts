import { Injectable } from '@nestjs/common';
import { Permission } from '../../infra/auth/permissions';
import { uuid7 } from '../../infra/database/uuid7';
import type { ResourceInput } from '../../infra/json-api/resource-handler';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ActingEmployees } from '../tenants';
import type { GoodsReceiptCreateDto, GoodsReceiptLineCreateDto } from './dto/stock-document.dto';
import type { GoodsReceipt, GoodsReceiptLine } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { ProductRepository } from './product.repository';
import { GoodsReceiptLineRepository, GoodsReceiptRepository } from './stock-document.repository';
import { StockLedger } from './stock-ledger.service';
import { checkOpen, openDocument } from './stock/open-documents';
import { fromMilli, toMilli } from './stock/quantity';
import { expiryOf } from './stock/shelf-life';
import { checkWhole } from './stock/stock-demand';
import { StockDocumentLineService, StockDocumentService, documentTime, stockedProduct } from './stock/stock-document.service';

/** The `goods-receipts` resource: deliveries; their lines post the stock. */
@Injectable()
export class GoodsReceiptService extends StockDocumentService<GoodsReceipt, GoodsReceiptLine> {
  constructor(
    receipts: GoodsReceiptRepository,
    lines: GoodsReceiptLineRepository,
    private readonly employees: ActingEmployees,
  ) {
    super(receipts, lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<GoodsReceiptCreateDto>): Promise<GoodsReceipt> {
    const storeId = relationships.store as string;
    const now = new Date();
    const [receipt] = await this.documents.insert(ctx, [
      {
        id: id ?? uuid7(),
        storeId,
        supplierId: (relationships.supplier as string | null | undefined) ?? null,
        employeeId: await this.employees.of(ctx, relationships, storeId, Permission.StockWrite),
        invoiceNumber: a.invoiceNumber ?? null,
        note: a.note ?? null,
        receivedAt: documentTime(a.receivedAt, 'receivedAt'),
        totalCost: 0,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    openDocument(ctx, receipt.id);
    return receipt;
  }
}

/** The `goods-receipt-lines` resource: each line becomes a batch and a receipt movement. */
@Injectable()
export class GoodsReceiptLineService extends StockDocumentLineService<GoodsReceiptLine> {
  constructor(
    lines: GoodsReceiptLineRepository,
    private readonly receipts: GoodsReceiptRepository,
    private readonly products: ProductRepository,
    private readonly ledger: StockLedger,
  ) {
    super(lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<GoodsReceiptLineCreateDto>): Promise<GoodsReceiptLine> {
    const receiptId = relationships.goodsReceipt as string;
    checkOpen(ctx, 'goods-receipts', receiptId, 'goodsReceipt');
    const product = await stockedProduct(ctx, this.products, relationships.product as string);
    if (product.archived) {
      throw new InventoryError(InventoryErrorCode.ProductArchived, `${product.name} is archived: unarchive it to receive it.`, { pointer: '/data/relationships/product/data' });
    }
    const quantity = toMilli(a.quantity);
    checkWhole(product, quantity, '/data/attributes/quantity');
    const [receipt] = await this.receipts.byIds(ctx, [receiptId]);
    const info = { kind: 'receipt' as const, occurredAt: receipt.receivedAt, document: { type: 'goods-receipts' as const, id: receipt.id }, employeeId: receipt.employeeId };
    const { batch, cost } = await this.ledger.session(ctx, receipt.storeId, [product.id], [], (session) =>
      session.put(
        {
          productId: product.id,
          quantity,
          unitCost: a.unitCost,
          source: 'receipt',
          supplierId: receipt.supplierId,
          receivedAt: receipt.receivedAt,
          expiresAt: expiryOf(product.shelfLifeDays, receipt.receivedAt),
          alwaysBatch: true,
        },
        info,
      ),
    );
    const now = new Date();
    const [line] = await this.lines.insert(ctx, [
      { id: id ?? uuid7(), documentId: receipt.id, productId: product.id, quantity: fromMilli(quantity), unitCost: a.unitCost, cost, batchId: batch!.id, createdAt: now },
    ]);
    await this.receipts.update(ctx, receipt.id, { totalCost: receipt.totalCost + cost, updatedAt: now });
    return line;
  }
}
