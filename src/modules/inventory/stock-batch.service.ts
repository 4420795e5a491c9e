import { Injectable } from '@nestjs/common';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { StockBatch } from './entities';
import { StockBatchRepository, type StockBatchRecord, daysLeft } from './stock-batch.repository';

const withDaysLeft = (now: Date) => (batch: StockBatch): StockBatchRecord => Object.assign(batch, { daysLeft: daysLeft(batch.expiresAt, now) });

/** The `stock-batches` resource: read-only, with the days left of each batch as of the request. */
@Injectable()
export class StockBatchService implements ResourceHandler<StockBatchRecord> {
  constructor(private readonly batches: StockBatchRepository) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<StockBatchRecord>> {
    const now = new Date();
    const page = await this.batches.findPageAt(ctx, query, now);
    return { ...page, items: page.items.map(withDaysLeft(now)) };
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<StockBatchRecord[]> {
    return (await this.batches.findByIds(ctx, ids)).map(withDaysLeft(new Date()));
  }
}
