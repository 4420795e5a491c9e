/**
 * The cache's key scheme. Every key starts with the tenant, so no coding mistake
 * can serve one shop's data to another; store-bound data adds the store:
 *
 *   t:{tenant}:s:{store}:{namespace}:{hash}            a cached document (stock: namespace "stock")
 *   t:{tenant}:s:{store}:{namespace}:r:{role}:{hash}   the same, when the document differs by role
 *   t:{tenant}:s:{store}:{namespace}:version           moved after every committed change in that store
 *   t:{tenant}:{tag}:version                           moved after every committed change of tenant-wide data (e.g. "catalog",
 *                                                      "principals": the tenant's status, shard and flags)
 *   t:{tenant}:u:{user}:principal:version              moved after every committed change of what a user's (or device's)
 *                                                      credentials carry: sessions, active, role, stores, revocation
 *
 * Only ids and versions: no personal data goes to Redis.
 */
export const cacheKeys = {
  storeVersion: (tenantId: string, storeId: string, namespace: string) => `t:${tenantId}:s:${storeId}:${namespace}:version`,
  tenantVersion: (tenantId: string, tag: string) => `t:${tenantId}:${tag}:version`,
  principalVersion: (tenantId: string, subjectId: string) => `t:${tenantId}:u:${subjectId}:principal:version`,
  storeScope: (tenantId: string, storeId: string) => `t:${tenantId}:s:${storeId}`,
  tenantScope: (tenantId: string) => `t:${tenantId}`,
};
