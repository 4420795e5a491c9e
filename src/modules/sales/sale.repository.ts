import { Injectable } from '@nestjs/common';
import { lockStore } from '../../infra/database/row-locks';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { TenantRows } from '../inventory/stock/tenant-rows';
import { Payment, Sale, SaleLine, SaleNumber } from './entities';
import { nextNumber } from './numbering';
import { OwnedRows } from './owned-rows';

/**
 * Sales on the tenant's shard. What callers read (`findPage`, `findByIds`) is
 * the sales of their stores (a device's: its store's); `byIds` sees the whole
 * tenant, for the service's own work.
 */
@Injectable()
export class SaleRepository extends TenantRows<Sale> {
  constructor(shards: ShardRegistry) {
    super(shards, Sale, 's', { columns: ['storeId'] });
  }

  /** The ids of the sales the caller may see, as a query to nest (their lines' and payments' scope). */
  async visibleIds(ctx: RequestContext) {
    return (await this.visible(ctx)).select('s.id');
  }

  /** Whether the sale's store exists, held shared until the commit so that it cannot be deleted under the sale (`lockStore`). */
  async holdStore(ctx: RequestContext, storeId: string): Promise<boolean> {
    return lockStore(await this.shards.manager(ctx), ctx.tenantId, storeId, 'share');
  }

  /** The tenant's next sale number (`nextNumber`: the counter row stays locked until the commit). */
  async nextNumber(ctx: RequestContext): Promise<number> {
    return nextNumber(await this.shards.manager(ctx), SaleNumber, ctx.tenantId);
  }
}

/** Sale lines: each visible exactly when its sale is. */
@Injectable()
export class SaleLineRepository extends OwnedRows<SaleLine> {
  constructor(shards: ShardRegistry, sales: SaleRepository) {
    super(shards, SaleLine, 'sl', 'saleId', (ctx) => sales.visibleIds(ctx));
  }
}

/** Payments: each visible exactly when its sale is. */
@Injectable()
export class PaymentRepository extends OwnedRows<Payment> {
  constructor(shards: ShardRegistry, sales: SaleRepository) {
    super(shards, Payment, 'sp', 'saleId', (ctx) => sales.visibleIds(ctx));
  }
}
