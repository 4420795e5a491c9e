import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { Staff } from '../tenants';
import { SalesError, SalesErrorCode } from './sales.errors';

const POINTER = '/data/relationships/courier/data';

/**
 * Who may deliver an order: an active employee of the tenant with the courier
 * role who works in the order's store (read through `Staff`: an employee taken
 * off the store a moment later still delivers what they were given, and stops
 * seeing it at their next request).
 */
@Injectable()
export class CourierRoster {
  constructor(private readonly staff: Staff) {}

  /** 422 naming the courier relationship unless `courierId` may deliver orders of `storeId`. */
  async check(ctx: RequestContext, courierId: string, storeId: string, pointer = POINTER): Promise<void> {
    const user = await this.staff.person(ctx, courierId);
    if (!user) throw new SalesError(SalesErrorCode.InvalidCourier, `No employee ${courierId} in this shop.`, { pointer });
    if (user.role !== 'courier') throw new SalesError(SalesErrorCode.InvalidCourier, `That employee is a ${user.role}, not a courier.`, { pointer });
    if (!user.active) throw new SalesError(SalesErrorCode.InvalidCourier, 'That courier is deactivated.', { pointer });
    if (!(await this.staff.worksIn(ctx, user, storeId))) {
      throw new SalesError(SalesErrorCode.InvalidCourier, 'That courier does not work in the order’s store.', { pointer });
    }
  }
}
