import { Injectable } from '@nestjs/common';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { User, UserStore } from '../tenants/entities';
import { SalesError, SalesErrorCode } from './sales.errors';

const POINTER = '/data/relationships/courier/data';

/**
 * Who may deliver an order: an active employee of the tenant with the courier
 * role who works in the order's store. People live in the catalog; this reads
 * it outside the order's shard transaction (the two cannot share one), so an
 * employee taken off the store a moment later still delivers what they were given,
 * and stops seeing it at their next request (the record scope follows their stores).
 */
@Injectable()
export class CourierRoster {
  constructor(private readonly catalog: CatalogDatabase) {}

  /** 422 naming the courier relationship unless `courierId` may deliver orders of `storeId`. */
  async check(ctx: RequestContext, courierId: string, storeId: string, pointer = POINTER): Promise<void> {
    const em = this.catalog.managerFor(ctx);
    const user = await em.findOneBy(User, { tenantId: ctx.tenantId, id: courierId });
    // The engine has already answered 404 for an id the caller cannot see; this is a race with a deletion.
    if (!user) throw new SalesError(SalesErrorCode.InvalidCourier, `No employee ${courierId} in this shop.`, { pointer });
    if (user.role !== 'courier') throw new SalesError(SalesErrorCode.InvalidCourier, `That employee is a ${user.role}, not a courier.`, { pointer });
    if (!user.active) throw new SalesError(SalesErrorCode.InvalidCourier, 'That courier is deactivated.', { pointer });
    if (!(await em.existsBy(UserStore, { tenantId: ctx.tenantId, userId: courierId, storeId }))) {
      throw new SalesError(SalesErrorCode.InvalidCourier, 'That courier does not work in the order’s store.', { pointer });
    }
  }
}
