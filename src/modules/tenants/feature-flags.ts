import type { DataSource } from 'typeorm';
import { changingTenantPrincipals } from '../../infra/auth/principal-versions';
import { FEATURES } from '../../infra/tenancy/features';
import { TenantFeature } from './entities/tenant-feature';
import { Tenant } from './entities/tenant';

/**
 * Switching feature flags per tenant (an operator's task: `npm run feature`).
 * The next request of the tenant sees the change: flags are read with the principal,
 * whose tenant version the switch moves after its commit.
 */
export class FeatureFlags {
  constructor(private readonly catalog: DataSource) {}

  async set(tenantId: string, flag: string, enabled: boolean): Promise<void> {
    if (!FEATURES.includes(flag)) throw new Error(`Unknown flag "${flag}"; known: ${FEATURES.join(', ')}`);
    if (!(await this.catalog.manager.existsBy(Tenant, { id: tenantId }))) throw new Error(`No tenant ${tenantId}`);
    await changingTenantPrincipals(this.catalog, tenantId, (em) => em.upsert(TenantFeature, { tenantId, flag, enabled, updatedAt: new Date() }, ['tenantId', 'flag']));
  }

  async list(tenantId: string): Promise<Record<string, boolean>> {
    const rows = await this.catalog.manager.findBy(TenantFeature, { tenantId });
    return Object.fromEntries(FEATURES.map((flag) => [flag, rows.find((r) => r.flag === flag)?.enabled ?? false]));
  }
}
