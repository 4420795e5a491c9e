import { Injectable } from '@nestjs/common';
import { CacheVersions } from '../../infra/cache/cache-versions';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { Linkage, ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { SupplierCreateDto, SupplierUpdateDto } from './dto/supplier.dto';
import type { Supplier } from './entities';
import { SupplierRepository } from './supplier.repository';
import { CATALOG_CACHE } from './stock/cache-tags';

/**
 * The `suppliers` resource. `contactPhone` is sensitive: the JSON:API layer hands
 * this service its ciphertext (sealed in one batch) and decrypts on the way out.
 */
@Injectable()
export class SupplierService implements ResourceHandler<Supplier> {
  constructor(
    private readonly suppliers: SupplierRepository,
    private readonly versions: CacheVersions,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Supplier>> {
    return this.suppliers.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Supplier[]> {
    return this.suppliers.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes }: ResourceInput<SupplierCreateDto>): Promise<Supplier> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    const now = new Date();
    return this.suppliers.insert(ctx, {
      id: id ?? uuid7(),
      name: attributes.name.trim(),
      contactPhoneCiphertext: attributes.contactPhone ?? null,
      createdAt: now,
      updatedAt: now,
    });
  }

  async update(ctx: RequestContext, id: string, { attributes }: ResourceInput<SupplierUpdateDto>): Promise<Supplier> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    await this.suppliers.update(ctx, id, {
      ...(attributes.name !== undefined && { name: attributes.name.trim() }),
      ...(attributes.contactPhone !== undefined && { contactPhoneCiphertext: attributes.contactPhone }),
      updatedAt: new Date(),
    });
    return (await this.suppliers.findByIds(ctx, [id]))[0];
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    return this.suppliers.delete(ctx, id);
  }

  linkage(ctx: RequestContext, _relationship: string, records: readonly Supplier[]): Promise<Map<string, Linkage>> {
    return this.suppliers.products(ctx, records.map((r) => r.id));
  }
}
