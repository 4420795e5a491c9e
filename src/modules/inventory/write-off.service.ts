import { Injectable } from '@nestjs/common';
import { Permission } from '../../infra/auth/permissions';
import { uuid7 } from '../../infra/database/uuid7';
import type { ResourceInput } from '../../infra/json-api/resource-handler';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ActingEmployees } from '../tenants';
import type { StockLineCreateDto, WriteOffCreateDto } from './dto/stock-document.dto';
import type { WriteOff, WriteOffLine } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { ProductRepository } from './product.repository';
import { WriteOffLineRepository, WriteOffRepository } from './stock-document.repository';
import { StockLedger } from './stock-ledger.service';
import { checkOpen, openDocument } from './stock/open-documents';
import { fromMilli, toMilli } from './stock/quantity';
import { StockDocumentLineService, StockDocumentService, documentTime, productForUse } from './stock/stock-document.service';

/** The `write-offs` resource: what wilted, broke or went missing, and who wrote it off. */
@Injectable()
export class WriteOffService extends StockDocumentService<WriteOff, WriteOffLine> {
  constructor(
    writeOffs: WriteOffRepository,
    lines: WriteOffLineRepository,
    private readonly employees: ActingEmployees,
  ) {
    super(writeOffs, lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<WriteOffCreateDto>): Promise<WriteOff> {
    const storeId = relationships.store as string;
    const employeeId = await this.employees.of(ctx, relationships, storeId, Permission.StockWrite);
    const now = new Date();
    const [writeOff] = await this.documents.insert(ctx, [
      {
        id: id ?? uuid7(),
        storeId,
        employeeId,
        reason: a.reason,
        note: a.note ?? null,
        occurredAt: documentTime(a.occurredAt, 'occurredAt'),
        totalCost: 0,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    openDocument(ctx, writeOff.id);
    return writeOff;
  }
}

/** The `write-off-lines` resource: each line takes stock first-expiring-first, never beyond the level. */
@Injectable()
export class WriteOffLineService extends StockDocumentLineService<WriteOffLine> {
  constructor(
    lines: WriteOffLineRepository,
    private readonly writeOffs: WriteOffRepository,
    private readonly products: ProductRepository,
    private readonly ledger: StockLedger,
  ) {
    super(lines);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<StockLineCreateDto>): Promise<WriteOffLine> {
    const writeOffId = relationships.writeOff as string;
    checkOpen(ctx, 'write-offs', writeOffId, 'writeOff');
    const product = await productForUse(ctx, this.products, relationships.product as string);
    // A composition made up but not sold writes off its components; other untracked products have no stock.
    if (!product.trackStock && product.kind !== 'composition') {
      throw new InventoryError(InventoryErrorCode.NotStockTracked, `${product.name} does not track stock (trackStock: false).`, { pointer: '/data/relationships/product/data' });
    }
    const [writeOff] = await this.writeOffs.byIds(ctx, [writeOffId]);
    const { cost } = await this.ledger.consume(ctx, writeOff.storeId, [{ productId: product.id, quantity: a.quantity, pointer: '/data/attributes/quantity' }], {
      kind: 'write-off',
      occurredAt: writeOff.occurredAt,
      reason: writeOff.note ? `${writeOff.reason}: ${writeOff.note}`.slice(0, 200) : writeOff.reason,
      document: { type: 'write-offs', id: writeOff.id },
      employeeId: writeOff.employeeId,
    });
    const now = new Date();
    const [line] = await this.lines.insert(ctx, [{ id: id ?? uuid7(), documentId: writeOff.id, productId: product.id, quantity: fromMilli(toMilli(a.quantity)), cost, createdAt: now }]);
    await this.writeOffs.update(ctx, writeOff.id, { totalCost: writeOff.totalCost + cost, updatedAt: now });
    return line;
  }
}
