import type { EntityManager } from 'typeorm';

export const ROLES = ['owner', 'manager', 'florist', 'courier'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is asking and which data they may touch. Built once per request by the auth
 * guard, and passed explicitly as the first argument of every service and
 * repository method so a reader sees what scopes a query.
 *
 * @example
 * async findByIds(ctx: RequestContext, ids: string[]) {
 *   return (await this.shards.manager(ctx)).findBy(Store, { tenantId: ctx.tenantId, id: In(ids) });
 * }
 */
export interface RequestContext {
  readonly requestId: string;
  readonly tenantId: string;
  readonly shardId: string;
  /** The user, or the device for a device token. */
  readonly userId: string;
  readonly role: Role;
  /** The login session, or the device token. */
  readonly sessionId: string;
  readonly actor: 'user' | 'device';
  /** The tenant's currency: money is in its minor units; phones are read in its country. */
  readonly currency: string;
  /** The stores this caller works in; 'all' for owners. Store-bound data outside them is invisible. */
  readonly storeIds: readonly string[] | 'all';
  /** Feature flags switched on for the tenant. */
  readonly features: readonly string[];
  /** The client's address, for the audit log (personal data: never logged or stored in clear). */
  readonly clientIp?: string;
  /**
   * The open shard transaction, when the caller runs inside one: repositories
   * then use it, so everything a use case writes commits or rolls back together.
   * Set only by `ShardRegistry.transaction`.
   */
  readonly tx?: EntityManager;
  /**
   * The open catalog transaction (`CatalogDatabase.transactional`), for writes of
   * catalog-stored resources (people, devices, the tenant): catalog repositories
   * use it through `catalog.managerFor(ctx)`.
   */
  readonly catalogTx?: EntityManager;
  /** Work to run once the transaction (shard or catalog) has committed (events, cache invalidation). */
  readonly afterCommit?: Array<() => unknown>;
  /** Checks to run in the shard transaction after all its work, before it commits (`ShardRegistry.beforeCommit`). */
  readonly beforeCommit?: Array<() => Promise<unknown>>;
}

/** Whether `ctx` may see data of `storeId`. */
export const inStoreScope = (ctx: Pick<RequestContext, 'storeIds'>, storeId: string): boolean =>
  ctx.storeIds === 'all' || ctx.storeIds.includes(storeId);
