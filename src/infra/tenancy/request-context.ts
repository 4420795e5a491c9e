import type { EntityManager } from 'typeorm';

export const ROLES = ['owner', 'manager', 'florist', 'courier'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is asking and which data they may touch. Built once per request by the auth
 * guard, kept in AsyncLocalStorage for logging, and passed explicitly as the first
 * argument of every service and repository method so a reader sees what scopes a query.
 *
 * @example
 * async findById(ctx: RequestContext, id: string) {
 *   return this.shards.manager(ctx).findOneBy(Store, { tenantId: ctx.tenantId, id });
 * }
 */
export interface RequestContext {
  readonly requestId: string;
  readonly tenantId: string;
  readonly shardId: string;
  readonly userId: string;
  readonly role: Role;
  readonly sessionId: string;
  /**
   * The open shard transaction, when the caller runs inside one: repositories
   * then use it, so everything a use case writes commits or rolls back together.
   * Set only by `ShardRegistry.transaction`.
   */
  readonly tx?: EntityManager;
}
