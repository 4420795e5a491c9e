import { Injectable } from '@nestjs/common';
import { type EntityManager, In, type SelectQueryBuilder } from 'typeorm';
import { Permission, can } from '../../infra/auth/permissions';
import { PrincipalVersions } from '../../infra/auth/principal-versions';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { findResourcePage } from '../../infra/database/resource-page';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { User, UserStore } from './entities';

export type UserChanges = Partial<Omit<User, 'tenantId' | 'id' | 'createdAt'>>;

/**
 * Employees are the tenant's users (catalog). Owners see everyone; a manager sees
 * the people who share a store with them, and themselves; a florist or a POS
 * terminal sees the roster: the same people and the owners, without contacts.
 * Every method takes the context and works in its catalog transaction when one is open. A change of a
 * user or of their stores moves their principal version after the commit (their
 * tokens carry the new role, stores or deactivation from the next request on).
 */
@Injectable()
export class EmployeeRepository {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly principals: PrincipalVersions,
  ) {}

  private em(ctx: RequestContext): EntityManager {
    return this.catalog.managerFor(ctx);
  }

  private scoped(ctx: RequestContext): SelectQueryBuilder<User> {
    const qb = this.em(ctx).createQueryBuilder(User, 'u').where('u.tenantId = :tenantId', { tenantId: ctx.tenantId });
    if (ctx.storeIds === 'all') return qb;
    const colleagues = `u.id IN (${this.em(ctx)
      .createQueryBuilder(UserStore, 'us')
      .select('us.userId')
      .where('us.tenantId = :tenantId AND us.storeId IN (:...scope)')
      .getQuery()})`;
    const params = { self: ctx.userId, scope: ctx.storeIds.length ? ctx.storeIds : ['-'] };
    if (can(ctx.role, Permission.EmployeesRead)) return qb.andWhere(`(u.id = :self OR ${colleagues})`, params);
    // The roster: who may be named at a till of these stores (owners work in every store).
    return qb.andWhere(`(u.id = :self OR u.role = :owner OR ${colleagues})`, { ...params, owner: 'owner' });
  }

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<User>> {
    return findResourcePage(this.scoped(ctx), query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<User[]> {
    return this.scoped(ctx).andWhere('u.id IN (:...ids)', { ids }).getMany();
  }

  async insert(ctx: RequestContext, user: User): Promise<void> {
    await this.em(ctx).insert(User, user);
  }

  async update(ctx: RequestContext, id: string, changes: UserChanges): Promise<void> {
    await this.em(ctx).update(User, { tenantId: ctx.tenantId, id }, changes);
    await this.principals.touchUser(ctx, ctx.tenantId, id);
  }

  async activeOwners(ctx: RequestContext): Promise<number> {
    return this.em(ctx).countBy(User, { tenantId: ctx.tenantId, role: 'owner', active: true });
  }

  async stores(ctx: RequestContext, userIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await this.em(ctx).find(UserStore, { where: { tenantId: ctx.tenantId, userId: In([...userIds]) }, order: { storeId: 'ASC' } });
    const map = new Map<string, string[]>();
    for (const row of rows) map.set(row.userId, [...(map.get(row.userId) ?? []), row.storeId]);
    return map;
  }

  async addStores(ctx: RequestContext, userId: string, storeIds: readonly string[]): Promise<void> {
    const { tenantId } = ctx;
    const existing = new Set((await this.em(ctx).findBy(UserStore, { tenantId, userId, storeId: In([...storeIds]) })).map((r) => r.storeId));
    const fresh = storeIds.filter((id) => !existing.has(id));
    if (fresh.length) await this.em(ctx).insert(UserStore, fresh.map((storeId) => ({ tenantId, userId, storeId, createdAt: new Date() })));
    await this.principals.touchUser(ctx, tenantId, userId);
  }

  async removeStores(ctx: RequestContext, userId: string, storeIds?: readonly string[]): Promise<void> {
    await this.em(ctx).delete(UserStore, { tenantId: ctx.tenantId, userId, ...(storeIds && { storeId: In([...storeIds]) }) });
    await this.principals.touchUser(ctx, ctx.tenantId, userId);
  }
}
