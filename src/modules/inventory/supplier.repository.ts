import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ProductSupplier, Supplier } from './entities';

/** Suppliers on the tenant's shard; every statement scoped by tenant. */
@Injectable()
export class SupplierRepository {
  constructor(private readonly shards: ShardRegistry) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Supplier>> {
    const em = await this.shards.manager(ctx);
    return findResourcePage(em.createQueryBuilder(Supplier, 's').where('s.tenantId = :tenantId', { tenantId: ctx.tenantId }), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Supplier[]> {
    return (await this.shards.manager(ctx)).findBy(Supplier, { tenantId: ctx.tenantId, id: In([...ids]) });
  }

  async insert(ctx: RequestContext, supplier: Omit<Supplier, 'tenantId'>): Promise<Supplier> {
    const row = { ...supplier, tenantId: ctx.tenantId };
    await (await this.shards.manager(ctx)).insert(Supplier, row);
    return row;
  }

  async update(ctx: RequestContext, id: string, changes: Partial<Pick<Supplier, 'name' | 'contactPhoneCiphertext' | 'updatedAt'>>): Promise<void> {
    await (await this.shards.manager(ctx)).update(Supplier, { tenantId: ctx.tenantId, id }, changes);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const em = await this.shards.manager(ctx);
    await em.delete(ProductSupplier, { tenantId: ctx.tenantId, supplierId: id });
    await em.delete(Supplier, { tenantId: ctx.tenantId, id });
  }

  /** Product ids each supplier delivers: one query for the batch. */
  async products(ctx: RequestContext, supplierIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await (await this.shards.manager(ctx)).find(ProductSupplier, {
      where: { tenantId: ctx.tenantId, supplierId: In([...supplierIds]) },
      order: { productId: 'ASC' },
    });
    const map = new Map<string, string[]>();
    for (const row of rows) map.set(row.supplierId, [...(map.get(row.supplierId) ?? []), row.productId]);
    return map;
  }
}
