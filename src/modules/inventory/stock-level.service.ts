import { Injectable } from '@nestjs/common';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { type StockLevelRecord, StockLevelRepository } from './stock-level.repository';

/** The `stock-levels` resource: read-only; levels change only with movements (StockLedger). */
@Injectable()
export class StockLevelService implements ResourceHandler<StockLevelRecord> {
  constructor(private readonly levels: StockLevelRepository) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<StockLevelRecord>> {
    return this.levels.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<StockLevelRecord[]> {
    return this.levels.findByIds(ctx, ids);
  }
}
