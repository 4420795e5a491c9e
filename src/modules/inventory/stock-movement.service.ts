import { Injectable } from '@nestjs/common';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { StockMovement } from './entities';
import { StockMovementRepository } from './stock-movement.repository';

/** A movement as the API shows it: the document behind it as a to-one relationship of its type. */
export type StockMovementRecord = StockMovement & {
  goodsReceiptId: string | null;
  writeOffId: string | null;
  transferId: string | null;
  stockCountId: string | null;
};

const withDocument = (m: StockMovement): StockMovementRecord => {
  const of = (type: StockMovement['documentType']) => (m.documentType === type ? m.documentId : null);
  return Object.assign(m, { goodsReceiptId: of('goods-receipts'), writeOffId: of('write-offs'), transferId: of('transfers'), stockCountId: of('stock-counts') });
};

/** The `stock-movements` resource: the ledger, read-only (StockLedger writes it). */
@Injectable()
export class StockMovementService implements ResourceHandler<StockMovementRecord> {
  constructor(private readonly movements: StockMovementRepository) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<StockMovementRecord>> {
    const page = await this.movements.findPage(ctx, query);
    return { ...page, items: page.items.map(withDocument) };
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<StockMovementRecord[]> {
    return (await this.movements.findByIds(ctx, ids)).map(withDocument);
  }
}
