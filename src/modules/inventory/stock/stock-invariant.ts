import type { StockBatch, StockLevel, Transfer } from '../entities';
import type { MovementSum, TransferSum } from '../stock-movement.repository';
import { type Milli, fromMilli, toMilli } from './quantity';

export interface StockDiscrepancy {
  storeId: string;
  productId: string;
  batchId?: string;
  transferId?: string;
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

/**
 * The transfers' part of the invariant: for every transfer and product, what
 * left went out of the sending store and what arrived came into the receiving
 * one; a received transfer brought in exactly what left (the transfer-in
 * movements sum to minus the transfer-out ones), and one in transit nothing yet.
 */
export function checkTransfers(transfers: ReadonlyArray<Pick<Transfer, 'id' | 'status' | 'fromStoreId' | 'toStoreId'>>, sums: readonly TransferSum[]): StockDiscrepancy[] {
  const found: StockDiscrepancy[] = [];
  const byId = new Map(transfers.map((t) => [t.id, t]));
  const moved = new Map<string, { transfer: (typeof transfers)[number]; productId: string; sent: Milli; arrived: Milli }>();
  for (const sum of sums) {
    const where = { storeId: sum.storeId, productId: sum.productId, transferId: sum.transferId };
    const transfer = byId.get(sum.transferId);
    if (!transfer) {
      found.push({ ...where, problem: `${sum.kind} movements of a transfer that does not exist` });
      continue;
    }
    const sending = sum.kind === 'transfer-out';
    if (sum.storeId !== (sending ? transfer.fromStoreId : transfer.toStoreId)) {
      found.push({ ...where, problem: `${sum.kind} movements in a store that is not the transfer’s ${sending ? 'sending' : 'receiving'} store` });
    }
    const key = `${sum.transferId}/${sum.productId}`;
    const entry = moved.get(key) ?? { transfer, productId: sum.productId, sent: 0, arrived: 0 };
    if (sending) entry.sent -= toMilli(sum.quantity);
    else entry.arrived += toMilli(sum.quantity);
    moved.set(key, entry);
  }
  for (const { transfer, productId, sent, arrived } of moved.values()) {
    const where = { storeId: transfer.toStoreId, productId, transferId: transfer.id };
    if (transfer.status === 'received' && arrived !== sent) found.push({ ...where, problem: `transfer received: ${fromMilli(arrived)} arrived of ${fromMilli(sent)} sent` });
    if (transfer.status === 'in-transit' && arrived !== 0) found.push({ ...where, problem: `transfer in transit, yet ${fromMilli(arrived)} arrived` });
  }
  return found;
}
