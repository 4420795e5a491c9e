import { Injectable } from '@nestjs/common';
import { type Permission, can } from '../../infra/auth/permissions';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { Staff } from './staff';
import { TenantsError, TenantsErrorCode } from './tenants.errors';

/**
 * Who does a piece of work in a store (sells, writes stock off) on a request's
 * behalf. A user's token is a person: the work is theirs, and naming someone
 * else is refused. A device token is a shared terminal, so the person at it
 * names themselves: an active employee whose role may do the work and who works
 * in the store (owners work in every store). Either way the record carries a
 * person (read through `Staff`, as the courier check of orders is).
 */
@Injectable()
export class ActingEmployees {
  constructor(private readonly staff: Staff) {}

  /**
   * The employee doing `permission` work in `storeId`, given what the request's
   * `relationships` name in `relationship` (absent: not named). 422
   * `invalid-employee` pointing at the relationship otherwise.
   */
  async of(ctx: RequestContext, relationships: Record<string, unknown>, storeId: string, permission: Permission, relationship = 'employee'): Promise<string> {
    const named = relationships[relationship] as string | null | undefined;
    const pointer = `/data/relationships/${relationship}/data`;
    const refuse = (detail: string, at = pointer) => new TenantsError(TenantsErrorCode.InvalidEmployee, detail, { pointer: at });
    if (ctx.actor === 'user') {
      if (named && named !== ctx.userId) throw refuse('With your own login the work is yours: name yourself or no one.');
      return ctx.userId;
    }
    // A member left out is pointed at through its parent, as the engine does for a required relationship.
    if (!named) throw refuse(`A POS terminal names the employee at it (relationship "${relationship}").`, named === undefined ? '/data/relationships' : pointer);
    const user = await this.staff.person(ctx, named);
    if (!user) throw refuse(`No employee ${named} in this shop.`);
    if (!user.active) throw refuse('That employee is deactivated.');
    if (!can(user.role, permission)) throw refuse(`A ${user.role} may not do this (${permission}).`);
    if (!(await this.staff.worksIn(ctx, user, storeId))) throw refuse('That employee does not work in this store.');
    return named;
  }
}
