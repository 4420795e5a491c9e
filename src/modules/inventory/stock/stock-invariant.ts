import type { StockBatch, StockLevel } from '../entities';
import type { MovementSum } from '../stock-movement.repository';
import { type Milli, fromMilli, toMilli } from './quantity';

export interface StockDiscrepancy {
  storeId: string;
  productId: string;
  batchId?: string;
  problem: string;
}

const pair = (storeId: string, productId: string) => `${storeId}/${productId}`;

/**
 * The ledger's invariant, for one tenant's rows: for every store and product
 *  - the level equals the sum of its movements;
 *  - each batch's quantity left equals the sum of the movements naming it, and
 *    lies between 0 and what it received;
 *  - the level equals the batches' remaining quantities plus the movements
 *    without a batch (stock sold offline before it was received), and that
 *    remainder is never positive, nor negative while a batch still holds stock.
 * Answers every discrepancy found (none when the books are right).
 */
export function checkStock(levels: readonly StockLevel[], batches: readonly StockBatch[], sums: readonly MovementSum[]): StockDiscrepancy[] {
  const found: StockDiscrepancy[] = [];
  const total = new Map<string, Milli>();
  const unbatched = new Map<string, Milli>();
  const byBatch = new Map<string, Milli>();
  for (const sum of sums) {
    const key = pair(sum.storeId, sum.productId);
    const quantity = toMilli(sum.quantity);
    total.set(key, (total.get(key) ?? 0) + quantity);
    if (sum.batchId === null) unbatched.set(key, (unbatched.get(key) ?? 0) + quantity);
    else byBatch.set(sum.batchId, (byBatch.get(sum.batchId) ?? 0) + quantity);
  }
  const left = new Map<string, Milli>();
  for (const batch of batches) {
    const key = pair(batch.storeId, batch.productId);
    const quantityLeft = toMilli(batch.quantityLeft);
    left.set(key, (left.get(key) ?? 0) + quantityLeft);
    const moved = byBatch.get(batch.id) ?? 0;
    const where = { storeId: batch.storeId, productId: batch.productId, batchId: batch.id };
    if (moved !== quantityLeft) found.push({ ...where, problem: `batch has ${batch.quantityLeft} left but its movements sum to ${fromMilli(moved)}` });
    if (quantityLeft < 0 || quantityLeft > toMilli(batch.quantityReceived)) found.push({ ...where, problem: `batch has ${batch.quantityLeft} left of ${batch.quantityReceived} received` });
  }
  const known = new Set<string>();
  for (const level of levels) {
    const key = pair(level.storeId, level.productId);
    known.add(key);
    const quantity = toMilli(level.quantity);
    const where = { storeId: level.storeId, productId: level.productId };
    const moved = total.get(key) ?? 0;
    const inBatches = left.get(key) ?? 0;
    const without = unbatched.get(key) ?? 0;
    if (quantity !== moved) found.push({ ...where, problem: `level is ${level.quantity} but its movements sum to ${fromMilli(moved)}` });
    if (quantity !== inBatches + without) {
      found.push({ ...where, problem: `level is ${level.quantity} but batches hold ${fromMilli(inBatches)} and ${fromMilli(without)} moved without a batch` });
    }
    if (without > 0 || (without < 0 && inBatches > 0)) {
      found.push({ ...where, problem: `${fromMilli(without)} moved without a batch while batches hold ${fromMilli(inBatches)}` });
    }
  }
  for (const key of new Set([...total.keys(), ...left.keys()])) {
    if (known.has(key)) continue;
    const [storeId, productId] = key.split('/');
    found.push({ storeId, productId, problem: 'movements or batches without a level' });
  }
  return found;
}
