import type { EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import type { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';

type OwnedRow = ObjectLiteral & { tenantId: string; id: string; createdAt: Date };

/** The owners' side: the ids of the owners the caller may see, as a query to nest. */
export type VisibleOwners = (ctx: RequestContext) => Promise<SelectQueryBuilder<ObjectLiteral>>;

/**
 * Rows that belong to one owner record and are created with it (an order's
 * lines; a sale's lines and payments): each visible exactly when its owner is
 * (the owner's scope, as a subquery), so lists, includes and the existence
 * checks of writes agree with the owner's own resource.
 */
export abstract class OwnedRows<T extends OwnedRow> {
  protected constructor(
    protected readonly shards: ShardRegistry,
    private readonly entity: EntityTarget<T>,
    private readonly alias: string,
    /** The property naming the owner. */
    private readonly owner: keyof T & string,
    private readonly owners: VisibleOwners,
  ) {}

  private async visible(ctx: RequestContext): Promise<SelectQueryBuilder<T>> {
    const em = await this.shards.manager(ctx);
    const owners = await this.owners(ctx);
    return em
      .createQueryBuilder(this.entity, this.alias)
      .where(`${this.alias}.tenantId = :tenantId`, { tenantId: ctx.tenantId })
      .andWhere(`${this.alias}.${this.owner} IN (${owners.getQuery()})`)
      .setParameters(owners.getParameters());
  }

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<T>> {
    return findResourcePage(await this.visible(ctx), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<T[]> {
    if (!ids.length) return [];
    return (await this.visible(ctx)).andWhere(`${this.alias}.id IN (:...ids)`, { ids: [...ids] }).getMany();
  }

  /** The ids of each owner's rows, in the order they were added: one query for the batch. */
  async idsByOwner(ctx: RequestContext, ownerIds: readonly string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (!ownerIds.length) return map;
    const a = this.alias;
    const rows = await (await this.shards.manager(ctx))
      .createQueryBuilder(this.entity, a)
      .select([`${a}.${this.owner} AS owner`, `${a}.id AS id`])
      .where(`${a}.tenantId = :tenantId AND ${a}.${this.owner} IN (:...ownerIds)`, { tenantId: ctx.tenantId, ownerIds: [...ownerIds] })
      .orderBy(`${a}.createdAt`)
      .addOrderBy(`${a}.id`)
      .getRawMany<{ owner: string; id: string }>();
    for (const { owner, id } of rows) map.set(owner, [...(map.get(owner) ?? []), id]);
    return map;
  }

  async insert(ctx: RequestContext, row: Omit<T, 'tenantId'>): Promise<T> {
    const full = { ...row, tenantId: ctx.tenantId } as unknown as T;
    await (await this.shards.manager(ctx)).insert(this.entity, full as never);
    return full;
  }
}
