import { Inject, Injectable } from '@nestjs/common';
import { AUDIT_SINK, type AuditSink } from '../../infra/audit/audit-sink';
import { isDuplicateKey } from '../../infra/database/database.errors';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { Linkage, ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { type RequestContext, type Role, inStoreScope } from '../../infra/tenancy/request-context';
import { LoginEmailIndex } from '../secrets/login-email-index';
import { AuthSessionRepository } from './auth-session.repository';
import type { EmployeeCreateDto, EmployeeUpdateDto } from './dto/employee.dto';
import { NO_PASSWORD, type User } from './entities/user';
import { EmployeeInviteService, type IssuedInvite } from './employee-invite.service';
import { EmployeeRepository, type UserChanges } from './employee.repository';
import { TenantsError, TenantsErrorCode } from './tenants.errors';

/** After sealing, sensitive attributes hold ciphertext and their blind indexes ride along. */
type Sealed<T> = T & { emailTenantIndex?: string; phoneIndex?: string | null };

const emailTaken = () =>
  new TenantsError(TenantsErrorCode.EmailTaken, 'Someone already logs in with this e-mail.', { pointer: '/data/attributes/email' });

/** An employee as a write answers: with the invite it issued, if it issued one. */
type EmployeeView = User & Partial<IssuedInvite>;

/**
 * The `employees` resource: invite (create; the employee sets their own password
 * with the invite token), change role, assign stores, deactivate, reset the
 * password (a new invite; the old password and every session end). Owners manage
 * everyone; a manager manages the florists and couriers of their own stores.
 * Role changes, deactivations and password resets go to the audit log.
 */
@Injectable()
export class EmployeeService implements ResourceHandler<User> {
  constructor(
    private readonly employees: EmployeeRepository,
    private readonly sessions: AuthSessionRepository,
    private readonly invites: EmployeeInviteService,
    private readonly shards: ShardRegistry,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    private readonly loginIndex: LoginEmailIndex,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<User>> {
    return this.employees.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<User[]> {
    return this.employees.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes, relationships }: ResourceInput<Sealed<EmployeeCreateDto>>): Promise<EmployeeView> {
    this.mayGrant(ctx, attributes.role);
    const stores = (relationships.stores as string[] | undefined) ?? [];
    this.mayAssign(ctx, stores);
    const now = new Date();
    const user: User = {
      tenantId: ctx.tenantId,
      id: id ?? uuid7(),
      emailIndex: await this.loginIndex.ofSealed(ctx.tenantId, attributes.email),
      emailTenantIndex: attributes.emailTenantIndex!,
      emailCiphertext: attributes.email,
      nameCiphertext: attributes.name,
      phoneCiphertext: attributes.phone ?? null,
      phoneIndex: attributes.phoneIndex ?? null,
      passwordHash: NO_PASSWORD,
      role: attributes.role,
      active: true,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.employees.insert(ctx, user);
    } catch (error) {
      if (isDuplicateKey(error)) throw emailTaken();
      throw error;
    }
    if (stores.length) await this.employees.addStores(ctx, user.id, stores);
    const invite = await this.invites.issue(ctx, user.id);
    this.log(ctx, 'employee.created', user.id, { role: user.role });
    return { ...user, ...invite };
  }

  async update(ctx: RequestContext, id: string, { attributes: a, relationships }: ResourceInput<Sealed<EmployeeUpdateDto>>): Promise<EmployeeView> {
    const [current] = await this.employees.findByIds(ctx, [id]);
    this.mayManage(ctx, current);
    if (a.role !== undefined && a.role !== current.role) this.mayGrant(ctx, a.role);
    if (a.active === false && id === ctx.userId) {
      throw new TenantsError(TenantsErrorCode.SelfDeactivation, 'You cannot deactivate yourself.', { pointer: '/data/attributes/active' });
    }
    const losesOwner = current.role === 'owner' && current.active && ((a.role !== undefined && a.role !== 'owner') || a.active === false);
    if (losesOwner && (await this.employees.activeOwners(ctx)) <= 1) {
      throw new TenantsError(TenantsErrorCode.LastOwner, 'The shop needs an active owner; make someone else owner first.', {
        pointer: `/data/attributes/${a.role !== undefined ? 'role' : 'active'}`,
      });
    }
    const changes: UserChanges = { updatedAt: new Date() };
    if (a.name !== undefined) changes.nameCiphertext = a.name;
    if (a.email !== undefined) {
      Object.assign(changes, { emailCiphertext: a.email, emailIndex: await this.loginIndex.ofSealed(ctx.tenantId, a.email), emailTenantIndex: a.emailTenantIndex });
    }
    if (a.phone !== undefined) Object.assign(changes, { phoneCiphertext: a.phone, phoneIndex: a.phoneIndex ?? null });
    if (a.role !== undefined) changes.role = a.role;
    if (a.active !== undefined) changes.active = a.active;
    if (a.resetPassword) changes.passwordHash = NO_PASSWORD;
    try {
      await this.employees.update(ctx, id, changes);
    } catch (error) {
      if (isDuplicateKey(error)) throw emailTaken();
      throw error;
    }
    if (relationships.stores) await this.setRelationship(ctx, id, 'stores', relationships.stores);
    if (a.active === false || a.resetPassword) await this.sessions.revokeAllOf(ctx.tenantId, id, new Date(), ctx);
    const invite = a.resetPassword ? await this.invites.issue(ctx, id) : undefined;
    if (a.role !== undefined && a.role !== current.role) this.log(ctx, 'employee.role-changed', id, { from: current.role, to: a.role });
    if (a.active !== undefined && a.active !== current.active) this.log(ctx, a.active ? 'employee.reactivated' : 'employee.deactivated', id);
    if (a.resetPassword) this.log(ctx, 'employee.password-reset', id);
    return { ...(await this.employees.findByIds(ctx, [id]))[0], ...invite };
  }

  linkage(ctx: RequestContext, _relationship: string, records: readonly User[]): Promise<Map<string, Linkage>> {
    return this.employees.stores(ctx, records.map((r) => r.id));
  }

  async setRelationship(ctx: RequestContext, id: string, _relationship: string, linkage: Linkage): Promise<void> {
    await this.assign(ctx, id, async () => {
      const ids = linkage as string[];
      this.mayAssign(ctx, ids);
      // Replaces what the caller can see: a manager's PATCH keeps the employee's stores outside the manager's.
      const current = (await this.employees.stores(ctx, [id])).get(id) ?? [];
      const dropped = current.filter((storeId) => inStoreScope(ctx, storeId) && !ids.includes(storeId));
      if (dropped.length) await this.employees.removeStores(ctx, id, dropped);
      await this.employees.addStores(ctx, id, ids);
    });
  }

  async addToRelationship(ctx: RequestContext, id: string, _relationship: string, ids: string[]): Promise<void> {
    await this.assign(ctx, id, async () => {
      this.mayAssign(ctx, ids);
      await this.employees.addStores(ctx, id, ids);
    });
  }

  async removeFromRelationship(ctx: RequestContext, id: string, _relationship: string, ids: string[]): Promise<void> {
    await this.assign(ctx, id, async () => {
      this.mayAssign(ctx, ids);
      await this.employees.removeStores(ctx, id, ids);
    });
  }

  private async assign(ctx: RequestContext, id: string, change: () => Promise<void>): Promise<void> {
    const [employee] = await this.employees.findByIds(ctx, [id]);
    this.mayManage(ctx, employee);
    await change();
    await this.employees.update(ctx, id, { updatedAt: new Date() });
    this.log(ctx, 'employee.stores-changed', id);
  }

  /** Only owners hand out the owner and manager roles. */
  private mayGrant(ctx: RequestContext, role: Role): void {
    if (ctx.role !== 'owner' && (role === 'owner' || role === 'manager')) {
      throw new TenantsError(TenantsErrorCode.RoleNotAllowed, `Only an owner can make someone ${role}.`, { pointer: '/data/attributes/role' });
    }
  }

  /** A manager manages florists and couriers (and themselves), not other managers or owners. */
  private mayManage(ctx: RequestContext, employee: User): void {
    if (ctx.role !== 'owner' && employee.id !== ctx.userId && (employee.role === 'owner' || employee.role === 'manager')) {
      throw new TenantsError(TenantsErrorCode.RoleNotAllowed, `Only an owner can change a ${employee.role}.`);
    }
  }

  private mayAssign(ctx: RequestContext, storeIds: readonly string[]): void {
    const outside = storeIds.find((storeId) => !inStoreScope(ctx, storeId));
    if (outside) throw new TenantsError(TenantsErrorCode.StoreOutOfScope, `You do not work in store ${outside}.`, { pointer: '/data/relationships/stores' });
  }

  private log(ctx: RequestContext, action: string, employeeId: string, details?: Record<string, string>): void {
    this.shards.afterCommit(ctx, () => this.audit.record(ctx, { action, targetType: 'employees', targetId: employeeId, details }));
  }
}
