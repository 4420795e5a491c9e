import { type OpenBatch, allocate, fefoOrder } from './fefo';

const day = (n: number) => new Date(Date.UTC(2026, 2, n));
const batch = (id: string, left: number, expiresDay: number | null, receivedDay = 1): OpenBatch => ({
  id,
  left,
  expiresAt: expiresDay === null ? null : day(expiresDay),
  receivedAt: day(receivedDay),
});

describe('FEFO', () => {
  it('orders by expiry, batches without one last, then by receipt and id', () => {
    const batches = [batch('late', 1, 9), batch('never', 1, null), batch('b-same', 1, 5, 2), batch('early', 1, 3), batch('a-same', 1, 5, 2), batch('older', 1, 5, 1)];
    expect([...batches].sort(fefoOrder).map((b) => b.id)).toEqual(['early', 'older', 'a-same', 'b-same', 'late', 'never']);
  });

  it('takes from the batch that expires first and moves on when it runs out', () => {
    const batches = [batch('first', 3_000, 3), batch('second', 10_000, 5)];
    const { taken, uncovered } = allocate(batches, 5_000);
    expect(taken.map((t) => [t.batch.id, t.quantity])).toEqual([
      ['first', 3_000],
      ['second', 2_000],
    ]);
    expect(uncovered).toBe(0);
    expect(batches.map((b) => b.left)).toEqual([0, 8_000]);
  });

  it('answers what no batch covers', () => {
    const batches = [batch('only', 2_000, 3)];
    expect(allocate(batches, 5_000)).toEqual({ taken: [{ batch: batches[0], quantity: 2_000 }], uncovered: 3_000 });
    expect(allocate(batches, 1_000)).toEqual({ taken: [], uncovered: 1_000 });
  });
});
