import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { type Permission, can } from '../auth/permissions';
import type { RequestContext } from './request-context';

/**
 * What a caller may see of a store-bound resource whose records are assigned to
 * someone (an order and its courier): the records of their stores, and, unless
 * their role holds the resource's wide permission, only those assigned to them.
 * The store scope always applies, so a courier taken off a store stops seeing
 * its orders even when they are still assigned.
 */
export interface RecordScope {
  readonly storeIds: readonly string[] | 'all';
  /** Set when only records assigned to this user are visible. */
  readonly assigneeId?: string;
}

/**
 * The scope of `ctx` on a resource whose wide read permission is `wide`.
 *
 * @example
 * // An orders repository (the route needs Permission.OrdersReadAssigned, which every role holds):
 * const scope = recordScope(ctx, Permission.OrdersRead);
 * applyRecordScope(qb, 'o', scope, { store: 'storeId', assignee: 'courierId' });
 */
export function recordScope(ctx: Pick<RequestContext, 'role' | 'storeIds' | 'userId'>, wide: Permission): RecordScope {
  return can(ctx.role, wide) ? { storeIds: ctx.storeIds } : { storeIds: ctx.storeIds, assigneeId: ctx.userId };
}

/** Whether one record is inside the scope (for records already loaded). */
export function inRecordScope(scope: RecordScope, record: { storeId: string; assigneeId: string | null }): boolean {
  if (scope.storeIds !== 'all' && !scope.storeIds.includes(record.storeId)) return false;
  return scope.assigneeId === undefined || record.assigneeId === scope.assigneeId;
}

/** Narrows a query to the scope; `columns` name the properties of `alias` that hold the store and the assignee. */
export function applyRecordScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  scope: RecordScope,
  columns: { store: string; assignee: string },
): SelectQueryBuilder<T> {
  if (scope.storeIds !== 'all') {
    // An empty IN () is a syntax error; a value no id can have matches nothing instead.
    qb.andWhere(`${alias}.${columns.store} IN (:...recordScopeStores)`, { recordScopeStores: scope.storeIds.length ? scope.storeIds : ['-'] });
  }
  if (scope.assigneeId !== undefined) qb.andWhere(`${alias}.${columns.assignee} = :recordScopeAssignee`, { recordScopeAssignee: scope.assigneeId });
  return qb;
}
