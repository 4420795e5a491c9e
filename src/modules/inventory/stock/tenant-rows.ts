import { type EntityTarget, In, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { findResourcePage } from '../../../infra/database/resource-page';
import type { ShardRegistry } from '../../../infra/database/shard-registry';
import type { Page } from '../../../infra/json-api/pagination';
import type { ResourceQuery } from '../../../infra/json-api/resource-query';
import type { RequestContext } from '../../../infra/tenancy/request-context';

type TenantRow = ObjectLiteral & { tenantId: string; id: string };

/**
 * What a repository needs of the context: the tenant, its shard, the open
 * transaction if any, and for what a caller reads, the stores they work in.
 */
export type ShardCtx = Pick<RequestContext, 'tenantId' | 'shardId' | 'tx'> & Partial<Pick<RequestContext, 'storeIds'>>;

/** How a table's rows belong to stores: their own columns, or their document's. */
export type StoreBinding = { columns: readonly string[] } | { documentTable: string; columns: readonly string[] };

/**
 * The statements every stock table needs, each scoped by `ctx.tenantId` on the
 * tenant's shard (inside the open transaction when there is one). What callers
 * read as resources (`findPage`, `findByIds`) is also limited to the stores the
 * caller works in: another store's rows are as missing as ones that never were.
 * The ledger's own statements (`scoped`, `byIds`) see the whole tenant. A
 * repository extends it with its own queries.
 */
export abstract class TenantRows<T extends TenantRow> {
  protected constructor(
    protected readonly shards: ShardRegistry,
    private readonly entity: EntityTarget<T>,
    protected readonly alias: string,
    private readonly stores?: StoreBinding,
  ) {}

  /** A query builder on the tenant's rows. */
  protected async scoped(ctx: ShardCtx): Promise<SelectQueryBuilder<T>> {
    const em = await this.shards.manager(ctx);
    return em.createQueryBuilder(this.entity, this.alias).where(`${this.alias}.tenantId = :tenantId`, { tenantId: ctx.tenantId });
  }

  /** The tenant's rows in the caller's stores. */
  protected async visible(ctx: ShardCtx): Promise<SelectQueryBuilder<T>> {
    const qb = await this.scoped(ctx);
    if (!this.stores || ctx.storeIds === undefined || ctx.storeIds === 'all') return qb;
    const params = { storeScope: ctx.storeIds.length ? [...ctx.storeIds] : ['-'] };
    if ('documentTable' in this.stores) {
      const owned = this.stores.columns.map((c) => `d.${c} IN (:...storeScope)`).join(' OR ');
      return qb.andWhere(`${this.alias}.documentId IN (SELECT d.id FROM ${this.stores.documentTable} d WHERE d.tenant_id = :tenantId AND (${owned}))`, params);
    }
    return qb.andWhere(`(${this.stores.columns.map((c) => `${this.alias}.${c} IN (:...storeScope)`).join(' OR ')})`, params);
  }

  async findPage(ctx: ShardCtx, query: ResourceQuery): Promise<Page<T>> {
    return findResourcePage(await this.visible(ctx), query);
  }

  async findByIds(ctx: ShardCtx, ids: readonly string[]): Promise<T[]> {
    if (!ids.length) return [];
    return (await this.visible(ctx)).andWhere(`${this.alias}.id IN (:...ids)`, { ids: [...ids] }).getMany();
  }

  /** By id across the tenant's stores: for the ledger's own work, never to answer a caller. */
  async byIds(ctx: ShardCtx, ids: readonly string[]): Promise<T[]> {
    if (!ids.length) return [];
    return (await this.shards.manager(ctx)).findBy(this.entity, { tenantId: ctx.tenantId, id: In([...ids]) } as never);
  }

  async insert(ctx: ShardCtx, rows: ReadonlyArray<Omit<T, 'tenantId'>>): Promise<T[]> {
    const full = rows.map((row) => ({ ...row, tenantId: ctx.tenantId }) as unknown as T);
    if (full.length) await (await this.shards.manager(ctx)).createQueryBuilder().insert().into(this.entity).values(full as never).updateEntity(false).execute();
    return full;
  }

  async update(ctx: ShardCtx, id: string, changes: Partial<Omit<T, 'tenantId' | 'id'>>): Promise<void> {
    await (await this.shards.manager(ctx)).update(this.entity, { tenantId: ctx.tenantId, id } as never, changes as never);
  }
}
