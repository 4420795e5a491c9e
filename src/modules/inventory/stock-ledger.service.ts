import { Injectable } from '@nestjs/common';
import { CacheVersions } from '../../infra/cache/cache-versions';
import { lockStore } from '../../infra/database/row-locks';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { notFound } from '../../infra/json-api/json-api.errors';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { StockDocumentType, StockMovement } from './entities';
import { StockBatchRepository } from './stock-batch.repository';
import { StockLevelRepository } from './stock-level.repository';
import { StockMovementRepository } from './stock-movement.repository';
import { STOCK_CACHE } from './stock/cache-tags';
import { expiryOf } from './stock/shelf-life';
import { StockDemand, type StockLineInput } from './stock/stock-demand';
import { type Effect, StockSession } from './stock/stock-session';

export type { StockLineInput } from './stock/stock-demand';

export interface ConsumeOptions {
  /** 'sale' unless said otherwise. */
  kind?: 'sale' | 'write-off' | 'transfer-out' | 'adjustment';
  /**
   * A sale made offline is recorded even beyond stock (the flowers are gone; the
   * level goes negative so someone counts). Online, taking more than the level
   * is refused with 409 `insufficient-stock` and nothing is written.
   */
  offline?: boolean;
  /** When it happened (a device's sale time); now by default. */
  occurredAt?: Date;
  reason?: string | null;
  /** The document it belongs to, e.g. `{ type: 'sales', id }`. */
  document?: { type: StockDocumentType; id: string };
  /** Who made it (the document's employee); the calling user by default. */
  employeeId?: string | null;
}

export interface LineConsumption {
  /** Cost of goods of the line, minor units, from the batches it took (an estimate for what no batch covered). */
  cost: number;
  /** One per batch taken from (and one without a batch for stock sold offline beyond the books). */
  movements: StockMovement[];
}

export interface Consumption {
  cost: number;
  lines: LineConsumption[];
}

/**
 * The stock ledger's entry point for other modules. Every change of stock is
 * one or more append-only movements, written in the same transaction as the
 * level (and batches) they change, with the level row locked; after the commit
 * the store's cached stock reads are invalidated on every instance.
 *
 * @example
 * // in the sales module, inside the sale's transaction:
 * const { cost } = await ledger.consume(txCtx, sale.storeId, lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
 *   { offline: sale.offline, occurredAt: sale.soldAt, document: { type: 'sales', id: sale.id } });
 */
@Injectable()
export class StockLedger {
  constructor(
    private readonly shards: ShardRegistry,
    private readonly levels: StockLevelRepository,
    private readonly batches: StockBatchRepository,
    private readonly movements: StockMovementRepository,
    private readonly demand: StockDemand,
    private readonly versions: CacheVersions,
  ) {}

  /**
   * Takes what `lines` need from the store, batches that expire first first.
   * Compositions take their recipe components; products that do not track stock
   * take nothing. Joins the transaction of `ctx` (or opens one).
   */
  consume(ctx: RequestContext, storeId: string, lines: readonly StockLineInput[], options: ConsumeOptions = {}): Promise<Consumption> {
    return this.shards.transaction(ctx, async (tx) => {
      const demands = await this.demand.expand(tx, lines);
      const products = demands.map((d) => d.productId);
      const info = { kind: options.kind ?? 'sale', occurredAt: options.occurredAt ?? new Date(), reason: options.reason, document: options.document, employeeId: options.employeeId };
      const result: LineConsumption[] = lines.map(() => ({ cost: 0, movements: [] }));
      await this.session(tx, storeId, products, products, async (session) => {
        for (const demand of demands) {
          const effect = await session.take(demand, info, options.offline === true);
          result[demand.line].cost += effect.cost;
          result[demand.line].movements.push(...effect.movements);
        }
      });
      return { cost: result.reduce((sum, line) => sum + line.cost, 0), lines: result };
    });
  }

  /**
   * Puts returned goods back (a customer's return): each line (compositions as
   * their components) becomes a batch at the product's last known cost.
   */
  restock(ctx: RequestContext, storeId: string, lines: readonly StockLineInput[], options: Omit<ConsumeOptions, 'kind' | 'offline'> = {}): Promise<Effect[]> {
    return this.shards.transaction(ctx, async (tx) => {
      const demands = await this.demand.expand(tx, lines);
      const occurredAt = options.occurredAt ?? new Date();
      const info = { kind: 'return' as const, occurredAt, reason: options.reason, document: options.document, employeeId: options.employeeId };
      return this.session(tx, storeId, demands.map((d) => d.productId), [], async (session) => {
        const effects: Effect[] = [];
        for (const d of demands) {
          const expiresAt = expiryOf(d.product.shelfLifeDays, occurredAt);
          effects.push(await session.put({ productId: d.productId, quantity: d.quantity, unitCost: null, source: 'return', receivedAt: occurredAt, expiresAt }, info));
        }
        return effects;
      });
    });
  }

  /**
   * Runs `work` on a session over the store's stock: the levels of `productIds`
   * locked, the open batches of `consuming` loaded; writes what it changed and
   * moves the store's stock version after the commit.
   */
  session<T>(ctx: RequestContext, storeId: string, productIds: readonly string[], consuming: readonly string[], work: (session: StockSession) => Promise<T>): Promise<T> {
    return this.shards.transaction(ctx, async (tx) => {
      // Held shared until the commit: a concurrent delete of the store waits for this write (`lockStore`).
      if (!(await lockStore(await this.shards.manager(tx), tx.tenantId, storeId, 'share'))) throw notFound('stores', storeId);
      const repos = { levels: this.levels, batches: this.batches, movements: this.movements };
      const session = await StockSession.open(tx, storeId, repos, productIds, consuming);
      const result = await work(session);
      if (await session.flush()) await this.versions.touchStore(tx, storeId, STOCK_CACHE);
      return result;
    });
  }
}
