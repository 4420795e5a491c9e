import { Injectable } from '@nestjs/common';
import { Permission } from '../../infra/auth/permissions';
import { uuid7 } from '../../infra/database/uuid7';
import type { ResourceInput } from '../../infra/json-api/resource-handler';
import { type RequestContext, inStoreScope } from '../../infra/tenancy/request-context';
import { ActingEmployees } from '../tenants';
import type { StockLineCreateDto, TransferCreateDto, TransferUpdateDto } from './dto/stock-document.dto';
import type { StockMovement, Transfer, TransferLine } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { ProductRepository } from './product.repository';
import { StockBatchRepository } from './stock-batch.repository';
import { TransferLineRepository, TransferRepository } from './stock-document.repository';
import { StockLedger } from './stock-ledger.service';
import { StockLevelRepository } from './stock-level.repository';
import { StockMovementRepository } from './stock-movement.repository';
import { checkOpen, openDocument } from './stock/open-documents';
import { fromMilli, toMilli } from './stock/quantity';
import { StockDocumentLineService, StockDocumentService, stockedProduct } from './stock/stock-document.service';

const document = (transfer: Transfer) => ({ type: 'transfers' as const, id: transfer.id });

/**
 * Moves what left the sending store (its transfer-out movements) into the
 * receiving one: a batch per source batch, with its expiry, cost and supplier.
 */
async function arrive(ctx: RequestContext, ledger: StockLedger, batches: StockBatchRepository, transfer: Transfer, out: readonly StockMovement[], at: Date): Promise<void> {
  const sources = new Map((await batches.byIds(ctx, [...new Set(out.map((m) => m.batchId).filter((id): id is string => id !== null))])).map((b) => [b.id, b]));
  await ledger.session(ctx, transfer.toStoreId, out.map((m) => m.productId), [], async (session) => {
    for (const m of out) {
      const source = m.batchId ? sources.get(m.batchId) : undefined;
      await session.put(
        {
          productId: m.productId,
          quantity: -toMilli(m.quantity),
          unitCost: source?.unitCost ?? null,
          source: 'transfer-in',
          supplierId: source?.supplierId ?? null,
          receivedAt: at,
          expiresAt: source?.expiresAt ?? null,
        },
        { kind: 'transfer-in', occurredAt: at, document: document(transfer), employeeId: transfer.receivedBy },
      );
    }
  });
}

/** The `transfers` resource: stock leaves one store and, once accepted, arrives in another. */
@Injectable()
export class TransferService extends StockDocumentService<Transfer, TransferLine> {
  constructor(
    private readonly transfers: TransferRepository,
    lines: TransferLineRepository,
    private readonly ledger: StockLedger,
    private readonly batches: StockBatchRepository,
    private readonly movements: StockMovementRepository,
    private readonly employees: ActingEmployees,
  ) {
    super(transfers, lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<TransferCreateDto>): Promise<Transfer> {
    const fromStoreId = relationships.fromStore as string;
    const toStoreId = relationships.toStore as string;
    if (fromStoreId === toStoreId) {
      throw new InventoryError(InventoryErrorCode.SameStore, 'A transfer goes to another store than the one it leaves.', { pointer: '/data/relationships/toStore/data' });
    }
    if (relationships.receiver !== undefined) {
      throw new InventoryError(InventoryErrorCode.InvalidStockDocument, 'The receiver is named when the transfer is accepted (one made received is received by its employee).', {
        pointer: '/data/relationships/receiver',
      });
    }
    const employeeId = await this.employees.of(ctx, relationships, fromStoreId, Permission.StockWrite);
    const now = new Date();
    const received = a.status === 'received';
    const [transfer] = await this.documents.insert(ctx, [
      {
        id: id ?? uuid7(),
        fromStoreId,
        toStoreId,
        status: received ? 'received' : 'in-transit',
        employeeId,
        receivedBy: received ? employeeId : null,
        note: a.note ?? null,
        sentAt: now,
        receivedAt: received ? now : null,
        totalCost: 0,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    openDocument(ctx, transfer.id);
    return transfer;
  }

  /**
   * Accepting a transfer in transit (`status: received`) brings its stock into
   * the receiving store; only someone who works there may accept it (a terminal
   * names who does, in `receiver`).
   */
  async update(ctx: RequestContext, id: string, { attributes: a, relationships }: ResourceInput<TransferUpdateDto>): Promise<Transfer> {
    const transfer = await this.one(ctx, id);
    const named = Object.keys(relationships).find((name) => name !== 'receiver' || a.status !== 'received');
    if (named !== undefined) {
      const detail = named === 'receiver' ? 'The receiver is named when accepting the transfer (status: received).' : `A transfer’s ${named} cannot change once it is made.`;
      throw new InventoryError(InventoryErrorCode.InvalidStockDocument, detail, { pointer: `/data/relationships/${named}` });
    }
    if (a.status !== 'received') return transfer;
    if (!inStoreScope(ctx, transfer.toStoreId)) {
      throw new InventoryError(InventoryErrorCode.ReceivingStoreOnly, 'Only someone who works in the receiving store can accept a transfer.', { pointer: '/data/attributes/status' });
    }
    const receivedBy = await this.employees.of(ctx, relationships, transfer.toStoreId, Permission.StockWrite, 'receiver');
    const now = new Date();
    // The status changes first, on condition: of concurrent acceptances exactly one gets here, so the stock arrives once.
    if (!(await this.transfers.markReceived(ctx, id, { receivedAt: now, receivedBy, updatedAt: now }))) {
      throw new InventoryError(InventoryErrorCode.TransferNotInTransit, 'This transfer has been received already.', { pointer: '/data/attributes/status' });
    }
    await arrive(ctx, this.ledger, this.batches, { ...transfer, receivedBy }, await this.movements.ofDocument(ctx, transfer.id, 'transfer-out'), now);
    return this.one(ctx, id);
  }
}

/** The `transfer-lines` resource: each line leaves the sending store first-expiring-first. */
@Injectable()
export class TransferLineService extends StockDocumentLineService<TransferLine> {
  constructor(
    lines: TransferLineRepository,
    private readonly transfers: TransferRepository,
    private readonly products: ProductRepository,
    private readonly ledger: StockLedger,
    private readonly batches: StockBatchRepository,
    private readonly levels: StockLevelRepository,
  ) {
    super(lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<StockLineCreateDto>): Promise<TransferLine> {
    const transferId = relationships.transfer as string;
    checkOpen(ctx, 'transfers', transferId, 'transfer');
    const product = await stockedProduct(ctx, this.products, relationships.product as string);
    const [transfer] = await this.transfers.byIds(ctx, [transferId]);
    // Both stores' levels change in this transaction: lock them in one order for everyone.
    if (transfer.status === 'received') for (const store of [transfer.fromStoreId, transfer.toStoreId].sort()) await this.levels.lock(ctx, store, [product.id]);
    const { cost, lines } = await this.ledger.consume(ctx, transfer.fromStoreId, [{ productId: product.id, quantity: a.quantity, pointer: '/data/attributes/quantity' }], {
      kind: 'transfer-out',
      occurredAt: transfer.sentAt,
      document: document(transfer),
      employeeId: transfer.employeeId,
    });
    if (transfer.status === 'received') await arrive(ctx, this.ledger, this.batches, transfer, lines[0].movements, transfer.receivedAt ?? new Date());
    const now = new Date();
    const [line] = await this.lines.insert(ctx, [{ id: id ?? uuid7(), documentId: transfer.id, productId: product.id, quantity: fromMilli(toMilli(a.quantity)), cost, createdAt: now }]);
    await this.transfers.update(ctx, transfer.id, { totalCost: transfer.totalCost + cost, updatedAt: now });
    return line;
  }
}
