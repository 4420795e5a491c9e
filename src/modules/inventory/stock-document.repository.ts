import { Injectable } from '@nestjs/common';
import { ShardRegistry } from '../../infra/database/shard-registry';
import {
  GoodsReceipt,
  GoodsReceiptLine,
  StockCount,
  StockCountLine,
  type StockDocumentLine,
  Transfer,
  TransferLine,
  WriteOff,
  WriteOffLine,
} from './entities';
import { type ShardCtx, TenantRows } from './stock/tenant-rows';

/** Lines of one document type: the generic statements plus the line ids of a batch of documents. */
export abstract class StockDocumentLines<L extends StockDocumentLine> extends TenantRows<L> {
  /** Line ids of each document, in the order they were added: one query for the batch. */
  async idsByDocument(ctx: ShardCtx, documentIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await (await this.scoped(ctx))
      .select([`${this.alias}.documentId AS document`, `${this.alias}.id AS id`])
      .andWhere(`${this.alias}.documentId IN (:...documentIds)`, { documentIds: [...documentIds] })
      .orderBy(`${this.alias}.createdAt`)
      .addOrderBy(`${this.alias}.id`)
      .getRawMany<{ document: string; id: string }>();
    const map = new Map<string, string[]>();
    for (const { document, id } of rows) map.set(document, [...(map.get(document) ?? []), id]);
    return map;
  }

  async ofDocument(ctx: ShardCtx, documentId: string): Promise<L[]> {
    return (await this.scoped(ctx)).andWhere(`${this.alias}.documentId = :documentId`, { documentId }).orderBy(`${this.alias}.createdAt`).addOrderBy(`${this.alias}.id`).getMany();
  }
}

@Injectable()
export class GoodsReceiptRepository extends TenantRows<GoodsReceipt> {
  constructor(shards: ShardRegistry) {
    super(shards, GoodsReceipt, 'gr', { columns: ['storeId'] });
  }
}

@Injectable()
export class GoodsReceiptLineRepository extends StockDocumentLines<GoodsReceiptLine> {
  constructor(shards: ShardRegistry) {
    super(shards, GoodsReceiptLine, 'grl', { documentTable: 'goods_receipts', columns: ['store_id'] });
  }
}

@Injectable()
export class WriteOffRepository extends TenantRows<WriteOff> {
  constructor(shards: ShardRegistry) {
    super(shards, WriteOff, 'wo', { columns: ['storeId'] });
  }
}

@Injectable()
export class WriteOffLineRepository extends StockDocumentLines<WriteOffLine> {
  constructor(shards: ShardRegistry) {
    super(shards, WriteOffLine, 'wol', { documentTable: 'write_offs', columns: ['store_id'] });
  }
}

@Injectable()
export class TransferRepository extends TenantRows<Transfer> {
  constructor(shards: ShardRegistry) {
    super(shards, Transfer, 'tr', { columns: ['fromStoreId', 'toStoreId'] });
  }

  /**
   * Marks a transfer in transit received, on the condition that it still is in
   * transit: false when it is not (another request accepted it first; on MySQL a
   * concurrent one waits on the row's lock, then finds it received).
   */
  async markReceived(ctx: ShardCtx, id: string, changes: Pick<Transfer, 'receivedAt' | 'receivedBy' | 'updatedAt'>): Promise<boolean> {
    const result = await (await this.shards.manager(ctx)).update(Transfer, { tenantId: ctx.tenantId, id, status: 'in-transit' }, { ...changes, status: 'received' });
    return result.affected === 1;
  }

  /** Every transfer of the tenant (or to or from one store), for the invariant check. */
  async all(ctx: ShardCtx, storeId?: string): Promise<Transfer[]> {
    const qb = await this.scoped(ctx);
    if (storeId) qb.andWhere('(tr.fromStoreId = :storeId OR tr.toStoreId = :storeId)', { storeId });
    return qb.getMany();
  }
}

@Injectable()
export class TransferLineRepository extends StockDocumentLines<TransferLine> {
  constructor(shards: ShardRegistry) {
    super(shards, TransferLine, 'trl', { documentTable: 'transfers', columns: ['from_store_id', 'to_store_id'] });
  }
}

@Injectable()
export class StockCountRepository extends TenantRows<StockCount> {
  constructor(shards: ShardRegistry) {
    super(shards, StockCount, 'sc', { columns: ['storeId'] });
  }
}

@Injectable()
export class StockCountLineRepository extends StockDocumentLines<StockCountLine> {
  constructor(shards: ShardRegistry) {
    super(shards, StockCountLine, 'scl', { documentTable: 'stock_counts', columns: ['store_id'] });
  }
}
