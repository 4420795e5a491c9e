import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { cacheKeys } from '../cache/cache-keys';
import { CATALOG_VERSIONS, VersionOutbox, inTransactionMoving } from '../cache/version-outbox';
import type { CatalogTxContext } from '../database/catalog-database';

const TENANT_TAG = 'principals';

/** The versions a cached principal is checked against on every request: its tenant's, and its user's (or device's). */
export const principalVersionKeys = (tenantId: string, subjectId: string): [string, string] => [
  cacheKeys.tenantVersion(tenantId, TENANT_TAG),
  cacheKeys.principalVersion(tenantId, subjectId),
];

/**
 * Moves the versions that cached principals (`PrincipalCache`) are checked
 * against, so the next request of every affected credential, on every instance,
 * reads the catalog again. Called by the repository and service methods that change
 * what a principal carries, in their catalog transaction (`within`): the move is
 * recorded in it and made after the commit, before the write answers; outside one
 * it is made at once.
 *
 * - `touchUser`: a user's sessions (login ended, all ended), active, role, stores,
 *   password reset or invite accepted; a device's revocation (its id is the subject).
 * - `touchTenant`: the tenant's status (`moving`), shard, currency, feature flags.
 *
 * @example
 * await catalog.managerFor(txCtx).update(User, { tenantId, id }, { active: false });
 * await principalVersions.touchUser(txCtx, tenantId, id);
 */
@Injectable()
export class PrincipalVersions {
  constructor(private readonly outbox: VersionOutbox) {}

  touchUser(within: CatalogTxContext | undefined, tenantId: string, userId: string): Promise<void> {
    return this.outbox.touch(CATALOG_VERSIONS, tenantId, cacheKeys.principalVersion(tenantId, userId), within?.catalogTx, within?.afterCommit);
  }

  touchTenant(within: CatalogTxContext | undefined, tenantId: string): Promise<void> {
    return this.outbox.touch(CATALOG_VERSIONS, tenantId, cacheKeys.tenantVersion(tenantId, TENANT_TAG), within?.catalogTx, within?.afterCommit);
  }
}

/**
 * A catalog write by code that holds only the catalog's DataSource (the feature-flag
 * command, the tenant mover) that changes what every principal of `tenantId`
 * carries: runs `work` in one transaction that records the tenant's principal
 * version move, made after the commit by the process that owns the DataSource's
 * versions (the server; a command with Redis) or, failing that, by every server's
 * reconciliation of the catalog outbox.
 */
export function changingTenantPrincipals<T>(catalog: DataSource, tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return inTransactionMoving(catalog, tenantId, [cacheKeys.tenantVersion(tenantId, TENANT_TAG)], work);
}
