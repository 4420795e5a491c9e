import type { Milli } from './quantity';

export interface OpenBatch {
  id: string;
  expiresAt: Date | null;
  receivedAt: Date;
  /** What is left, in thousandths; changed by `allocate`. */
  left: Milli;
}

/** First expired, first out: earliest expiry first, batches that never expire last; then oldest received. */
export function fefoOrder(a: Pick<OpenBatch, 'id' | 'expiresAt' | 'receivedAt'>, b: Pick<OpenBatch, 'id' | 'expiresAt' | 'receivedAt'>): number {
  const expiry = (x: Date | null) => (x === null ? Number.POSITIVE_INFINITY : x.getTime());
  return expiry(a.expiresAt) - expiry(b.expiresAt) || a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Takes `quantity` from `batches` (already in FEFO order), lowering their `left`;
 * answers what came from which batch and what no batch could cover.
 */
export function allocate<B extends OpenBatch>(batches: readonly B[], quantity: Milli): { taken: Array<{ batch: B; quantity: Milli }>; uncovered: Milli } {
  const taken: Array<{ batch: B; quantity: Milli }> = [];
  let rest = quantity;
  for (const batch of batches) {
    if (rest === 0) break;
    if (batch.left <= 0) continue;
    const part = Math.min(batch.left, rest);
    batch.left -= part;
    rest -= part;
    taken.push({ batch, quantity: part });
  }
  return { taken, uncovered: rest };
}
