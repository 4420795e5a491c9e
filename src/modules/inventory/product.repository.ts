import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { Product, ProductSupplier, RecipeItem } from './entities';
import { lockClause, placeholders } from '../../infra/database/row-locks';

type ProductChanges = Partial<Omit<Product, 'tenantId' | 'id' | 'createdAt'>>;

const group = (rows: Array<{ owner: string; member: string }>) => {
  const map = new Map<string, string[]>();
  for (const { owner, member } of rows) map.set(owner, [...(map.get(owner) ?? []), member]);
  return map;
};

/** Products and their supplier links on the tenant's shard; every statement scoped by tenant. */
@Injectable()
export class ProductRepository {
  constructor(private readonly shards: ShardRegistry) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Product>> {
    const em = await this.shards.manager(ctx);
    return findResourcePage(em.createQueryBuilder(Product, 'p').where('p.tenantId = :tenantId', { tenantId: ctx.tenantId }), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Product[]> {
    return (await this.shards.manager(ctx)).findBy(Product, { tenantId: ctx.tenantId, id: In([...ids]) });
  }

  async insert(ctx: RequestContext, product: Omit<Product, 'tenantId'>): Promise<Product> {
    const row = { ...product, tenantId: ctx.tenantId };
    await (await this.shards.manager(ctx)).insert(Product, row);
    return row;
  }

  async update(ctx: RequestContext, id: string, changes: ProductChanges): Promise<void> {
    await (await this.shards.manager(ctx)).update(Product, { tenantId: ctx.tenantId, id }, changes);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const em = await this.shards.manager(ctx);
    await em.delete(ProductSupplier, { tenantId: ctx.tenantId, productId: id });
    await em.delete(Product, { tenantId: ctx.tenantId, id });
  }

  /**
   * Products that a write is about to use (in stock, or in a recipe), held with
   * a shared lock until its transaction ends: none of them can be deleted or
   * have its unit changed meanwhile (`lockForChange` waits). One that is gone by
   * now is left out, as if it never was.
   */
  async findForUse(ctx: RequestContext, ids: readonly string[]): Promise<Product[]> {
    const em = await this.shards.manager(ctx);
    const lock = lockClause(em, 'share');
    if (!lock || !ids.length) return this.findByIds(ctx, ids);
    const unique = [...new Set(ids)];
    const live: Array<{ id: string }> = await em.query(`SELECT id FROM products WHERE tenant_id = ? AND id IN (${placeholders(unique)})${lock}`, [ctx.tenantId, ...unique]);
    const present = new Set(live.map((row) => row.id));
    return (await this.findByIds(ctx, unique)).filter((product) => present.has(product.id));
  }

  /**
   * Locks the product for a change of what its stock means (or its deletion)
   * until the transaction ends: writers that use it (`findForUse`) wait, and
   * once the lock is held every one that did has committed.
   */
  async lockForChange(ctx: RequestContext, id: string): Promise<void> {
    const em = await this.shards.manager(ctx);
    const lock = lockClause(em, 'update');
    if (lock) await em.query(`SELECT id FROM products WHERE tenant_id = ? AND id = ?${lock}`, [ctx.tenantId, id]);
  }

  /** Recipe item ids of each composition, oldest first: one query for the batch. */
  async components(ctx: RequestContext, productIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await (await this.shards.manager(ctx))
      .createQueryBuilder(RecipeItem, 'r')
      .select(['r.compositionId AS owner', 'r.id AS member'])
      .where('r.tenantId = :tenantId AND r.compositionId IN (:...ids)', { tenantId: ctx.tenantId, ids: productIds })
      .orderBy('r.createdAt', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getRawMany<{ owner: string; member: string }>();
    return group(rows);
  }

  /** Supplier ids of each product: one query for the batch. */
  async suppliers(ctx: RequestContext, productIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await (await this.shards.manager(ctx))
      .createQueryBuilder(ProductSupplier, 'ps')
      .select(['ps.productId AS owner', 'ps.supplierId AS member'])
      .where('ps.tenantId = :tenantId AND ps.productId IN (:...ids)', { tenantId: ctx.tenantId, ids: productIds })
      .orderBy('ps.supplierId', 'ASC')
      .getRawMany<{ owner: string; member: string }>();
    return group(rows);
  }

  async addSuppliers(ctx: RequestContext, productId: string, supplierIds: readonly string[]): Promise<void> {
    const em = await this.shards.manager(ctx);
    const existing = new Set((await em.findBy(ProductSupplier, { tenantId: ctx.tenantId, productId, supplierId: In([...supplierIds]) })).map((r) => r.supplierId));
    const fresh = supplierIds.filter((id) => !existing.has(id));
    if (fresh.length) await em.insert(ProductSupplier, fresh.map((supplierId) => ({ tenantId: ctx.tenantId, productId, supplierId, createdAt: new Date() })));
  }

  async removeSuppliers(ctx: RequestContext, productId: string, supplierIds?: readonly string[]): Promise<void> {
    const em = await this.shards.manager(ctx);
    await em.delete(ProductSupplier, { tenantId: ctx.tenantId, productId, ...(supplierIds && { supplierId: In([...supplierIds]) }) });
  }
}
