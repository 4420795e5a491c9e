import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Page } from '../json-api/pagination';
import type { FilterCondition, ResourceQuery } from '../json-api/resource-query';

const COMPARE = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function applyFilter<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, condition: FilterCondition, index: number): void {
  // Property names come from resource definitions, never from the client; values are bound.
  const column = `${qb.alias}.${condition.property}`;
  const param = `filter${index}`;
  if (condition.operator === 'eq') qb.andWhere(`${column} IN (:...${param})`, { [param]: condition.values });
  else qb.andWhere(`${column} ${COMPARE[condition.operator]} :${param}`, { [param]: condition.values[0] });
}

/**
 * Runs a resource query on a query builder that is already scoped to the tenant:
 * the filters, then either a numbered page (the sort, `id` last so pages are
 * stable, and a total) or a cursor page ordered by (updatedAt, id), up to the
 * feed's horizon, read one row past the page to know whether more follow.
 *
 * @example
 * const qb = em.createQueryBuilder(Store, 's').where('s.tenantId = :tenantId', { tenantId: ctx.tenantId });
 * return findResourcePage(qb, query);
 */
export async function findResourcePage<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, query: ResourceQuery): Promise<Page<T>> {
  query.filter.forEach((condition, i) => applyFilter(qb, condition, i));
  const a = qb.alias;
  if (query.page.kind === 'number') {
    for (const { property, descending } of query.sort) qb.addOrderBy(`${a}.${property}`, descending ? 'DESC' : 'ASC');
    qb.addOrderBy(`${a}.id`, 'ASC');
    const [items, total] = await qb
      .skip((query.page.number - 1) * query.page.size)
      .take(query.page.size)
      .getManyAndCount();
    return { items, total };
  }
  const { size, after, before, until } = query.page;
  // The feed's settle horizon: rows changed later wait for a later read.
  if (until) qb.andWhere(`${a}.updatedAt <= :feedUntil`, { feedUntil: until });
  const from = after ?? before;
  if (from) {
    const op = after ? '>' : '<';
    qb.andWhere(`(${a}.updatedAt ${op} :cursorAt OR (${a}.updatedAt = :cursorAt AND ${a}.id ${op} :cursorId))`, {
      cursorAt: from.updatedAt,
      cursorId: from.id,
    });
  }
  const direction = before ? 'DESC' : 'ASC';
  const rows = await qb.orderBy(`${a}.updatedAt`, direction).addOrderBy(`${a}.id`, direction).take(size + 1).getMany();
  const hasMore = rows.length > size;
  const items = rows.slice(0, size);
  return { items: before ? items.reverse() : items, hasMore };
}
