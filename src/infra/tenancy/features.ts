import type { RequestContext } from './request-context';

/**
 * Feature flags: a new function is switched on for one tenant first (an operator
 * runs `npm run feature -- <tenant> <flag> on`), then for more. Every flag is
 * listed here with what it gates, so a flag cannot be mistyped into existence.
 */
export enum Feature {
  /** Reports computed from the read replica rather than the shard (being tried). */
  ReportsFromReplica = 'reports-from-replica',
  /** Offline sync batches larger than the default limit. */
  LargeSyncBatches = 'large-sync-batches',
}

export const FEATURES: readonly string[] = Object.values(Feature);

/**
 * Whether a flag is on for the caller's tenant.
 *
 * @example
 * if (isEnabled(ctx, Feature.LargeSyncBatches)) maxOperations = 2000;
 */
export const isEnabled = (ctx: Pick<RequestContext, 'features'>, feature: Feature): boolean => ctx.features.includes(feature);
