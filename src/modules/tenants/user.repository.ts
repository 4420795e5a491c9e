import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CatalogDatabase, type CatalogTxContext } from '../../infra/database/catalog-database';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { User } from './entities';

/** Users in the catalog, found at login by the blind index of their e-mail. */
@Injectable()
export class UserRepository {
  constructor(private readonly catalog: CatalogDatabase) {}

  /** In `within`'s catalog transaction when it is in one (a signup holds its connection meanwhile). */
  findByEmailIndex(emailIndex: string, within?: CatalogTxContext): Promise<User | null> {
    return this.catalog.managerFor(within).findOneBy(User, { emailIndex });
  }

  findById(ctx: Pick<RequestContext, 'tenantId'>, id: string): Promise<User | null> {
    return this.catalog.manager.findOneBy(User, { tenantId: ctx.tenantId, id });
  }

  /**
   * Replaces the password hash of an active user only if it still is `fromHash`
   * (the one just verified): a reset or another change that committed meanwhile
   * wins. Resolves whether it was replaced.
   */
  async replacePasswordHash(ctx: Pick<RequestContext, 'tenantId' | 'catalogTx'>, id: string, fromHash: string, toHash: string, now: Date): Promise<boolean> {
    const result = await this.catalog
      .managerFor(ctx)
      .update(User, { tenantId: ctx.tenantId, id, active: true, passwordHash: fromHash }, { passwordHash: toHash, updatedAt: now });
    return (result.affected ?? 0) > 0;
  }

  async insert(em: EntityManager, user: User): Promise<void> {
    await em.insert(User, user);
  }
}
