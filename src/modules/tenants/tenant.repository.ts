import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PrincipalVersions } from '../../infra/auth/principal-versions';
import { CatalogDatabase, type CatalogTxContext } from '../../infra/database/catalog-database';
import { Tenant } from './entities';

/**
 * Tenants in the catalog; `within` names the catalog transaction to work in, when
 * one is open. A change moves the tenant's principal version (what every credential
 * of the tenant carries comes from its row) after the commit.
 */
@Injectable()
export class TenantRepository {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly principals: PrincipalVersions,
  ) {}

  findById(id: string, within?: CatalogTxContext): Promise<Tenant | null> {
    return this.catalog.managerFor(within).findOneBy(Tenant, { id });
  }

  async insert(em: EntityManager, tenant: Tenant): Promise<void> {
    await em.insert(Tenant, tenant);
  }

  async update(id: string, changes: Partial<Pick<Tenant, 'name' | 'timeZone' | 'updatedAt'>>, within?: CatalogTxContext): Promise<void> {
    await this.catalog.managerFor(within).update(Tenant, { id }, changes);
    await this.principals.touchTenant(within, id);
  }

  async count(): Promise<number> {
    return this.catalog.manager.count(Tenant);
  }
}
