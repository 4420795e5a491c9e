import type { StockBatch, StockLevel, TransferStatus } from '../entities';
import type { MovementSum, TransferSum } from '../stock-movement.repository';
import { checkStock, checkTransfers } from './stock-invariant';

const level = (productId: string, quantity: string) => ({ storeId: 's', productId, quantity }) as StockLevel;
const batch = (id: string, productId: string, quantityLeft: string, quantityReceived = '10') => ({ id, storeId: 's', productId, quantityLeft, quantityReceived }) as StockBatch;
const sum = (productId: string, batchId: string | null, quantity: string): MovementSum => ({ storeId: 's', productId, batchId, quantity });

describe(checkStock.name, () => {
  it('finds nothing wrong in consistent books, including stock sold before it was received', () => {
    const sut = checkStock(
      [level('rose', '7'), level('tulip', '-3')],
      [batch('b1', 'rose', '0'), batch('b2', 'rose', '7'), batch('b3', 'tulip', '0', '5')],
      [sum('rose', 'b1', '0'), sum('rose', 'b2', '7'), sum('tulip', 'b3', '0'), sum('tulip', null, '-3')],
    );
    expect(sut).toEqual([]);
  });

  it('finds a level that is not the sum of its movements', () => {
    const sut = checkStock([level('rose', '8')], [batch('b1', 'rose', '8')], [sum('rose', 'b1', '7')]);
    expect(sut.map((d) => d.problem)).toEqual([
      'batch has 8 left but its movements sum to 7',
      'level is 8 but its movements sum to 7',
    ]);
  });

  it('finds batches that do not add up to the level', () => {
    const sut = checkStock([level('rose', '5')], [batch('b1', 'rose', '3')], [sum('rose', 'b1', '3'), sum('rose', null, '2')]);
    expect(sut.map((d) => d.problem)).toEqual(['2 moved without a batch while batches hold 3']);
  });

  it('finds a batch holding more than it received, or less than nothing', () => {
    const sut = checkStock([level('rose', '9')], [batch('b1', 'rose', '12'), batch('b2', 'rose', '-3')], [sum('rose', 'b1', '12'), sum('rose', 'b2', '-3')]);
    expect(sut.map((d) => [d.batchId, d.problem])).toEqual([
      ['b1', 'batch has 12 left of 10 received'],
      ['b2', 'batch has -3 left of 10 received'],
    ]);
  });

  it('finds stock sold without a batch while a batch still holds stock', () => {
    const sut = checkStock([level('rose', '2')], [batch('b1', 'rose', '5')], [sum('rose', 'b1', '5'), sum('rose', null, '-3')]);
    expect(sut.map((d) => d.problem)).toEqual(['-3 moved without a batch while batches hold 5']);
  });

  it('finds movements of a store and product that has no level', () => {
    const sut = checkStock([], [], [sum('rose', null, '1')]);
    expect(sut).toEqual([{ storeId: 's', productId: 'rose', problem: 'movements or batches without a level' }]);
  });
});

describe(checkTransfers.name, () => {
  const transfer = (id: string, status: TransferStatus) => ({ id, status, fromStoreId: 'from', toStoreId: 'to' });
  const moved = (transferId: string, kind: TransferSum['kind'], quantity: string, storeId = kind === 'transfer-out' ? 'from' : 'to', productId = 'rose'): TransferSum => ({
    transferId,
    storeId,
    productId,
    kind,
    quantity,
  });

  it('finds nothing wrong when each received transfer brought in what left and those in transit brought nothing', () => {
    const sut = checkTransfers(
      [transfer('t1', 'received'), transfer('t2', 'in-transit')],
      [moved('t1', 'transfer-out', '-4'), moved('t1', 'transfer-in', '4'), moved('t2', 'transfer-out', '-2'), moved('t1', 'transfer-out', '-1', 'from', 'tulip'), moved('t1', 'transfer-in', '1', 'to', 'tulip')],
    );
    expect(sut).toEqual([]);
  });

  it('finds a received transfer that brought in more than left (accepted twice)', () => {
    const sut = checkTransfers([transfer('t1', 'received')], [moved('t1', 'transfer-out', '-4'), moved('t1', 'transfer-in', '8')]);
    expect(sut).toEqual([{ storeId: 'to', productId: 'rose', transferId: 't1', problem: 'transfer received: 8 arrived of 4 sent' }]);
  });

  it('finds a received transfer that brought in nothing, and one in transit that brought something in', () => {
    const sut = checkTransfers([transfer('t1', 'received'), transfer('t2', 'in-transit')], [moved('t1', 'transfer-out', '-4'), moved('t2', 'transfer-out', '-3'), moved('t2', 'transfer-in', '3')]);
    expect(sut.map((d) => [d.transferId, d.problem])).toEqual([
      ['t1', 'transfer received: 0 arrived of 4 sent'],
      ['t2', 'transfer in transit, yet 3 arrived'],
    ]);
  });

  it('finds transfer movements in the wrong store, and of a transfer that does not exist', () => {
    const sut = checkTransfers([transfer('t1', 'received')], [moved('t1', 'transfer-out', '-4'), moved('t1', 'transfer-in', '4', 'elsewhere'), moved('gone', 'transfer-in', '1')]);
    expect(sut.map((d) => [d.transferId, d.storeId, d.problem])).toEqual([
      ['t1', 'elsewhere', 'transfer-in movements in a store that is not the transfer’s receiving store'],
      ['gone', 'to', 'transfer-in movements of a transfer that does not exist'],
    ]);
  });
});
