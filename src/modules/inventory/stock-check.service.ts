import { Injectable } from '@nestjs/common';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { StockBatchRepository } from './stock-batch.repository';
import { StockLevelRepository } from './stock-level.repository';
import { StockMovementRepository } from './stock-movement.repository';
import { type StockDiscrepancy, checkStock } from './stock/stock-invariant';
import type { ShardCtx } from './stock/tenant-rows';

export interface StockCheckReport {
  tenantId: string;
  levels: number;
  batches: number;
  discrepancies: StockDiscrepancy[];
}

/**
 * Checks the ledger's invariant for a tenant (`npm run stock:check` runs it for
 * every tenant with stock on every shard). Reads in one transaction so the
 * three reads see the same moment.
 */
@Injectable()
export class StockCheck {
  constructor(
    private readonly shards: ShardRegistry,
    private readonly levels: StockLevelRepository,
    private readonly batches: StockBatchRepository,
    private readonly movements: StockMovementRepository,
  ) {}

  async run(ctx: ShardCtx, storeId?: string): Promise<StockCheckReport> {
    return this.shards.transaction(ctx, async (tx) => {
      const [levels, batches, sums] = [await this.levels.all(tx, storeId), await this.batches.all(tx, storeId), await this.movements.sums(tx, storeId)];
      return { tenantId: ctx.tenantId, levels: levels.length, batches: batches.length, discrepancies: checkStock(levels, batches, sums) };
    }, { readOnly: true });
  }

  /** Tenants with stock on the shard of `ctx` (whose tenantId is ignored). */
  async tenants(ctx: ShardCtx): Promise<string[]> {
    return this.levels.tenants(ctx);
  }
}
