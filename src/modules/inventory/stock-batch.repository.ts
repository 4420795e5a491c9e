import { Injectable } from '@nestjs/common';
import { Brackets } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { FilterCondition, ResourceQuery } from '../../infra/json-api/resource-query';
import { StockBatch } from './entities';
import { DAY_MS } from './stock/shelf-life';
import { type ShardCtx, TenantRows } from './stock/tenant-rows';


/** A batch as the API shows it: with the days left before it expires. */
export type StockBatchRecord = StockBatch & { daysLeft: number | null };

/**
 * Days until expiry, rounded up: 7 for a batch with a week's shelf life received
 * now, 1 when it expires within a day, 0 or less once it has expired.
 */
export const daysLeft = (expiresAt: Date | null, now: Date): number | null =>
  expiresAt === null ? null : Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS) || 0;

/**
 * `daysLeft op n` as bounds on expires_at (after: exclusive, upTo: inclusive),
 * for the same `now` the records are rendered with: daysLeft <= n exactly when
 * expiresAt <= now + n days.
 */
function daysLeftBounds(condition: FilterCondition, now: Date): Array<{ after?: Date; upTo?: Date }> {
  const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
  return condition.values.map((value) => {
    const n = value as number;
    switch (condition.operator) {
      case 'eq':
        return { after: at(n - 1), upTo: at(n) };
      case 'lte':
        return { upTo: at(n) };
      case 'lt':
        return { upTo: at(n - 1) };
      case 'gte':
        return { after: at(n - 1) };
      case 'gt':
        return { after: at(n) };
    }
  });
}

/** Stock batches on the tenant's shard; every statement scoped by tenant. */
@Injectable()
export class StockBatchRepository extends TenantRows<StockBatch> {
  constructor(shards: ShardRegistry) {
    super(shards, StockBatch, 'b', { columns: ['storeId'] });
  }

  /** `filter[daysLeft]` (any operator) becomes bounds on expiresAt; batches without expiry never match it. */
  async findPageAt(ctx: ShardCtx, query: ResourceQuery, now: Date): Promise<Page<StockBatch>> {
    const qb = await this.visible(ctx);
    query.filter
      .filter((f) => f.field === 'daysLeft')
      .forEach((condition, i) => {
        qb.andWhere(
          new Brackets((any) => {
            daysLeftBounds(condition, now).forEach(({ after, upTo }, j) => {
              const p = `dl${i}_${j}`;
              const clause = [after && `b.expiresAt > :${p}after`, upTo && `b.expiresAt <= :${p}upTo`].filter(Boolean).join(' AND ');
              any.orWhere(`(${clause})`, { [`${p}after`]: after, [`${p}upTo`]: upTo });
            });
          }),
        );
      });
    return findResourcePage(qb, { ...query, filter: query.filter.filter((f) => f.field !== 'daysLeft') });
  }

  /**
   * The batches of these products in the store that still hold stock, locked
   * (the caller holds the products' level locks, which guard their batches; the
   * locking read also sees what committed after this transaction's snapshot).
   */
  async lockOpen(ctx: ShardCtx, storeId: string, productIds: readonly string[]): Promise<StockBatch[]> {
    if (!productIds.length) return [];
    const qb = (await this.scoped(ctx)).andWhere('b.storeId = :storeId AND b.productId IN (:...productIds) AND b.quantityLeft > 0', { storeId, productIds: [...productIds] });
    if ((await this.shards.manager(ctx)).connection.options.type === 'mysql') qb.setLock('pessimistic_write');
    return qb.getMany();
  }

  /** The unit cost of the product's most recent batch in the store: the estimate for stock without a batch. */
  async lastUnitCost(ctx: ShardCtx, storeId: string, productId: string): Promise<number | null> {
    const latest = await (await this.scoped(ctx))
      .andWhere('b.storeId = :storeId AND b.productId = :productId', { storeId, productId })
      .orderBy('b.receivedAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .getOne();
    return latest?.unitCost ?? null;
  }

  async setLeft(ctx: ShardCtx, id: string, quantityLeft: string, updatedAt: Date): Promise<void> {
    await this.update(ctx, id, { quantityLeft, updatedAt });
  }

  async all(ctx: ShardCtx, storeId?: string): Promise<StockBatch[]> {
    const qb = await this.scoped(ctx);
    if (storeId) qb.andWhere('b.storeId = :storeId', { storeId });
    return qb.getMany();
  }
}
