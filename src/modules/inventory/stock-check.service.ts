import { Injectable } from '@nestjs/common';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { StockBatchRepository } from './stock-batch.repository';
import { TransferRepository } from './stock-document.repository';
import { StockLevelRepository } from './stock-level.repository';
import { StockMovementRepository } from './stock-movement.repository';
import { type StockDiscrepancy, checkStock, checkTransfers } from './stock/stock-invariant';
import type { ShardCtx } from './stock/tenant-rows';

export interface StockCheckReport {
  tenantId: string;
  levels: number;
  batches: number;
  discrepancies: StockDiscrepancy[];
}

/**
 * Checks the ledger's invariant for a tenant: levels, batches and movements add
 * up, and transfers brought in what they took out (`npm run stock:check` runs it
 * for every tenant with stock on every shard). Reads in one transaction so all
 * its reads see the same moment.
 */
@Injectable()
export class StockCheck {
  constructor(
    private readonly shards: ShardRegistry,
    private readonly levels: StockLevelRepository,
    private readonly batches: StockBatchRepository,
    private readonly movements: StockMovementRepository,
    private readonly transfers: TransferRepository,
  ) {}

  async run(ctx: ShardCtx, storeId?: string): Promise<StockCheckReport> {
    return this.shards.transaction(ctx, async (tx) => {
      const [levels, batches, sums] = [await this.levels.all(tx, storeId), await this.batches.all(tx, storeId), await this.movements.sums(tx, storeId)];
      const transfers = await this.transfers.all(tx, storeId);
      const moved = await this.movements.transferSums(tx, storeId ? transfers.map((t) => t.id) : undefined);
      const discrepancies = [...checkStock(levels, batches, sums), ...checkTransfers(transfers, moved)];
      return { tenantId: ctx.tenantId, levels: levels.length, batches: batches.length, discrepancies };
    }, { readOnly: true });
  }

  /** Tenants with stock on the shard of `ctx` (whose tenantId is ignored). */
  async tenants(ctx: ShardCtx): Promise<string[]> {
    return this.levels.tenants(ctx);
  }
}
