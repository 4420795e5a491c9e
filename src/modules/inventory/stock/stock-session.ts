import { uuid7 } from '../../../infra/database/uuid7';
import type { RequestContext } from '../../../infra/tenancy/request-context';
import type { BatchSource, MovementKind, StockBatch, StockDocumentType, StockLevel, StockMovement } from '../entities';
import { InventoryError, InventoryErrorCode } from '../inventory.errors';
import type { StockBatchRepository } from '../stock-batch.repository';
import type { StockLevelRepository } from '../stock-level.repository';
import type { StockMovementRepository } from '../stock-movement.repository';
import { type OpenBatch, allocate, fefoOrder } from './fefo';
import { type Milli, costOf, fromMilli, toMilli } from './quantity';
import type { Demand } from './stock-demand';

/** What the movements of one change have in common. */
export interface MovementInfo {
  kind: MovementKind;
  occurredAt: Date;
  reason?: string | null;
  document?: { type: StockDocumentType; id: string };
  /** Who made the change (its document's employee); the calling user by default, none for a device. */
  employeeId?: string | null;
}

/** Stock coming in: it becomes a batch, after settling any stock sold before it was there. */
export interface Credit {
  productId: string;
  quantity: Milli;
  /** Minor units per unit; null: the product's last known cost in the store (0 if none). */
  unitCost: number | null;
  source: BatchSource;
  supplierId?: string | null;
  receivedAt: Date;
  expiresAt: Date | null;
  /** Make the batch even when nothing is left for it (a receipt line always names its batch). */
  alwaysBatch?: boolean;
}

export interface Effect {
  movements: StockMovement[];
  /** Cost of the stock moved, minor units (unknown costs count as 0). */
  cost: number;
}

interface BatchState extends OpenBatch {
  row: StockBatch;
}

interface Repositories {
  levels: StockLevelRepository;
  batches: StockBatchRepository;
  movements: StockMovementRepository;
}

/**
 * One transaction's changes to one store's stock: the touched levels are locked
 * when it opens, changes are worked out in memory, and `flush` writes the
 * movements together with the levels and batches they change. Every change goes
 * through `take` (FEFO) or `put` (a new batch), so for every store and product
 * the level is the sum of its movements, and each batch's quantity left the sum
 * of the movements naming it.
 */
export class StockSession {
  private readonly movements: StockMovement[] = [];
  private readonly createdBatches: StockBatch[] = [];
  private readonly changedBatches = new Set<BatchState>();
  private readonly changedLevels = new Set<StockLevel>();
  private readonly now = new Date();

  private constructor(
    private readonly ctx: RequestContext,
    readonly storeId: string,
    private readonly repos: Repositories,
    private readonly levels: Map<string, { row: StockLevel; quantity: Milli }>,
    private readonly open: Map<string, BatchState[]>,
    private readonly createdLevels: boolean,
  ) {}

  /**
   * Locks the levels of `productIds` in the store (and the open batches of those
   * in `consuming`, which `take` will draw from).
   */
  static async open(ctx: RequestContext, storeId: string, repos: Repositories, productIds: readonly string[], consuming: readonly string[]): Promise<StockSession> {
    const { levels: rows, created } = await repos.levels.lock(ctx, storeId, productIds);
    const levels = new Map([...rows].map(([productId, row]) => [productId, { row, quantity: toMilli(row.quantity) }]));
    const open = new Map<string, BatchState[]>();
    const batches = await repos.batches.lockOpen(ctx, storeId, [...new Set(consuming)].sort());
    for (const row of batches) {
      const state = { id: row.id, expiresAt: row.expiresAt, receivedAt: row.receivedAt, left: toMilli(row.quantityLeft), row };
      open.set(row.productId, [...(open.get(row.productId) ?? []), state]);
    }
    for (const list of open.values()) list.sort(fefoOrder);
    return new StockSession(ctx, storeId, repos, levels, open, created);
  }

  level(productId: string): Milli {
    return this.state(productId).quantity;
  }

  /**
   * Takes a demand from the batches that expire first. Beyond what the level
   * holds it refuses (409 `insufficient-stock`) unless `allowNegative` (an offline
   * sale: the flowers are gone); what no batch covers is recorded without a batch,
   * at the product's last known cost.
   */
  async take(demand: Demand, info: MovementInfo, allowNegative = false): Promise<Effect> {
    const level = this.state(demand.productId);
    if (!allowNegative && level.quantity < demand.quantity) {
      const name = demand.partOf ? `${demand.product.name} (in ${demand.partOf.name})` : demand.product.name;
      throw new InventoryError(
        InventoryErrorCode.InsufficientStock,
        `${name}: ${fromMilli(Math.max(level.quantity, 0))} in stock, ${fromMilli(demand.quantity)} needed.`,
        demand.pointer === undefined ? undefined : { pointer: demand.pointer },
        { productId: demand.productId, available: fromMilli(level.quantity) },
      );
    }
    const batches = this.open.get(demand.productId) ?? [];
    const { taken, uncovered } = allocate(batches, demand.quantity);
    const movements = taken.map(({ batch, quantity }) => {
      this.changedBatches.add(batch);
      return this.movement(demand.productId, batch.id, -quantity, costOf(quantity, batch.row.unitCost), info);
    });
    if (uncovered > 0) {
      const estimate = await this.repos.batches.lastUnitCost(this.ctx, this.storeId, demand.productId);
      movements.push(this.movement(demand.productId, null, -uncovered, estimate === null ? null : costOf(uncovered, estimate), info));
    }
    this.change(level, -demand.quantity);
    return { movements, cost: movements.reduce((sum, m) => sum + (m.cost ?? 0), 0) };
  }

  /**
   * Puts stock in. While the level is below zero (stock sold offline before it
   * was received) the incoming quantity first settles that, without a batch; the
   * rest becomes a new batch.
   */
  async put(credit: Credit, info: MovementInfo): Promise<Effect & { batch: StockBatch | null }> {
    const level = this.state(credit.productId);
    const settles = Math.min(credit.quantity, Math.max(0, -level.quantity));
    const rest = credit.quantity - settles;
    const unitCost = credit.unitCost ?? (await this.repos.batches.lastUnitCost(this.ctx, this.storeId, credit.productId)) ?? 0;
    const movements: StockMovement[] = [];
    if (settles > 0) movements.push(this.movement(credit.productId, null, settles, costOf(settles, unitCost), info));
    let batch: StockBatch | null = null;
    if (rest > 0 || credit.alwaysBatch) {
      batch = {
        tenantId: this.ctx.tenantId,
        id: uuid7(),
        storeId: this.storeId,
        productId: credit.productId,
        supplierId: credit.supplierId ?? null,
        source: credit.source,
        quantityReceived: fromMilli(credit.quantity),
        quantityLeft: fromMilli(rest),
        unitCost,
        receivedAt: credit.receivedAt,
        expiresAt: credit.expiresAt,
        createdAt: this.now,
        updatedAt: this.now,
      };
      this.createdBatches.push(batch);
      if (rest > 0) {
        movements.push(this.movement(credit.productId, batch.id, rest, costOf(rest, unitCost), info));
        // Drawn on like any other batch should this transaction take the product again.
        const list = [...(this.open.get(credit.productId) ?? []), { id: batch.id, expiresAt: batch.expiresAt, receivedAt: batch.receivedAt, left: rest, row: batch }];
        this.open.set(credit.productId, list.sort(fefoOrder));
      }
    }
    this.change(level, credit.quantity);
    return { batch, movements, cost: costOf(credit.quantity, unitCost) };
  }

  /**
   * Writes everything, in the caller's transaction. Answers whether the store's
   * stock rows changed: movements written, or a level created at zero when it
   * opened (a count of 0 of a product never stocked there writes no movement).
   */
  async flush(): Promise<boolean> {
    const { ctx, repos, now } = this;
    const created = new Set(this.createdBatches);
    for (const batch of this.changedBatches) if (created.has(batch.row)) batch.row.quantityLeft = fromMilli(batch.left);
    if (this.createdBatches.length) await repos.batches.insert(ctx, this.createdBatches);
    if (this.movements.length) await repos.movements.insert(ctx, this.movements);
    for (const batch of this.changedBatches) if (!created.has(batch.row)) await repos.batches.setLeft(ctx, batch.id, fromMilli(batch.left), now);
    for (const level of this.changedLevels) await repos.levels.setQuantity(ctx, level.id, level.quantity, now);
    return this.movements.length > 0 || this.createdLevels;
  }

  private state(productId: string) {
    const level = this.levels.get(productId);
    if (!level) throw new Error(`stock session: level of ${productId} not locked`);
    return level;
  }

  private change(level: { row: StockLevel; quantity: Milli }, by: Milli): void {
    level.quantity += by;
    level.row.quantity = fromMilli(level.quantity);
    level.row.updatedAt = this.now;
    this.changedLevels.add(level.row);
  }

  private movement(productId: string, batchId: string | null, quantity: Milli, cost: number | null, info: MovementInfo): StockMovement {
    const movement: StockMovement = {
      tenantId: this.ctx.tenantId,
      id: uuid7(),
      storeId: this.storeId,
      productId,
      batchId,
      kind: info.kind,
      quantity: fromMilli(quantity),
      cost,
      occurredAt: info.occurredAt,
      reason: info.reason ?? null,
      documentType: info.document?.type ?? null,
      documentId: info.document?.id ?? null,
      // A device token's id is not an employee's: a change it makes names one through its document.
      employeeId: info.employeeId ?? (this.ctx.actor === 'user' ? this.ctx.userId : null),
      createdAt: this.now,
    };
    this.movements.push(movement);
    return movement;
  }
}
