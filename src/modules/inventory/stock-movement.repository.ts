import { Injectable } from '@nestjs/common';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { canonicalDecimal } from './entities/decimal.transformer';
import { type MovementKind, StockMovement } from './entities';
import { type ShardCtx, TenantRows } from './stock/tenant-rows';

export interface MovementSum {
  storeId: string;
  productId: string;
  batchId: string | null;
  quantity: string;
}

/** What moved for one transfer, store, product and direction. */
export interface TransferSum {
  transferId: string;
  storeId: string;
  productId: string;
  kind: 'transfer-out' | 'transfer-in';
  quantity: string;
}

/** The stock ledger on the tenant's shard: inserts and reads only, never an update. */
@Injectable()
export class StockMovementRepository extends TenantRows<StockMovement> {
  constructor(shards: ShardRegistry) {
    super(shards, StockMovement, 'm', { columns: ['storeId'] });
  }

  override update(): never {
    throw new Error('stock movements are append-only');
  }

  async ofDocument(ctx: ShardCtx, documentId: string, kind: MovementKind): Promise<StockMovement[]> {
    return (await this.scoped(ctx)).andWhere('m.documentId = :documentId AND m.kind = :kind', { documentId, kind }).orderBy('m.createdAt').addOrderBy('m.id').getMany();
  }

  /** Sums of quantity by store, product and batch (null: without a batch), for the invariant check. */
  async sums(ctx: ShardCtx, storeId?: string): Promise<MovementSum[]> {
    const qb = (await this.scoped(ctx))
      .select(['m.storeId AS storeId', 'm.productId AS productId', 'm.batchId AS batchId', 'SUM(m.quantity) AS quantity'])
      .groupBy('m.storeId')
      .addGroupBy('m.productId')
      .addGroupBy('m.batchId');
    if (storeId) qb.andWhere('m.storeId = :storeId', { storeId });
    const rows = await qb.getRawMany<{ storeId: string; productId: string; batchId: string | null; quantity: string | number }>();
    return rows.map((r) => ({ ...r, quantity: canonicalDecimal(r.quantity) }));
  }

  /** Sums of the transfer movements by transfer, store, product and direction (of these transfers only, when given). */
  async transferSums(ctx: ShardCtx, transferIds?: readonly string[]): Promise<TransferSum[]> {
    if (transferIds && !transferIds.length) return [];
    const qb = (await this.scoped(ctx))
      .select(['m.documentId AS transferId', 'm.storeId AS storeId', 'm.productId AS productId', 'm.kind AS kind', 'SUM(m.quantity) AS quantity'])
      .andWhere("m.documentType = 'transfers' AND m.kind IN ('transfer-out', 'transfer-in')")
      .groupBy('m.documentId')
      .addGroupBy('m.storeId')
      .addGroupBy('m.productId')
      .addGroupBy('m.kind');
    if (transferIds) qb.andWhere('m.documentId IN (:...transferIds)', { transferIds: [...transferIds] });
    const rows = await qb.getRawMany<Omit<TransferSum, 'quantity'> & { quantity: string | number }>();
    return rows.map((r) => ({ ...r, quantity: canonicalDecimal(r.quantity) }));
  }
}
