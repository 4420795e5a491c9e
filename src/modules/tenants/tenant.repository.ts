import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { Tenant } from './entities';

/** Tenants in the catalog. */
@Injectable()
export class TenantRepository {
  constructor(private readonly catalog: CatalogDatabase) {}

  findById(id: string): Promise<Tenant | null> {
    return this.catalog.manager.findOneBy(Tenant, { id });
  }

  async insert(em: EntityManager, tenant: Tenant): Promise<void> {
    await em.insert(Tenant, tenant);
  }

  async update(id: string, changes: Partial<Pick<Tenant, 'name' | 'timeZone' | 'updatedAt'>>): Promise<void> {
    await this.catalog.manager.update(Tenant, { id }, changes);
  }

  async count(): Promise<number> {
    return this.catalog.manager.count(Tenant);
  }
}
