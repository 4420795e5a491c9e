import { Injectable } from '@nestjs/common';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { User, UserStore } from './entities';

/**
 * The shop's people as the checks of shard writes need them (who sold, who
 * delivers): read from the catalog outside the shard transaction, which the
 * catalog cannot share. A person taken off a store a moment later keeps what
 * they were given; the record scope follows their stores from their next request.
 */
@Injectable()
export class Staff {
  constructor(private readonly catalog: CatalogDatabase) {}

  /** The shop's person `id`, or null (the engine has already answered 404 for an id the caller cannot see: this is a race with a deletion). */
  person(ctx: RequestContext, id: string): Promise<User | null> {
    return this.catalog.managerFor(ctx).findOneBy(User, { tenantId: ctx.tenantId, id });
  }

  /** Whether `user` works in `storeId`; owners work in every store. */
  async worksIn(ctx: RequestContext, user: User, storeId: string): Promise<boolean> {
    return user.role === 'owner' || this.catalog.managerFor(ctx).existsBy(UserStore, { tenantId: ctx.tenantId, userId: user.id, storeId });
  }
}
