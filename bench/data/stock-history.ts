import { integer, pick, seededRandom, uuidv7 } from './random';

/**
 * A year of one shop's stock, simulated the way the server records it, so the
 * rows satisfy the ledger's invariant (`npm run stock:check` passes on them):
 * 2,000 products; in each store about 600 of them stocked, received every 2 to 7
 * days in batches that expire after their shelf life, sold every day (250 sales) first
 * expiring first (online: never beyond stock), what expired written off at the
 * end of the day. Seeded: the same rows on every run and machine.
 */
export interface HistoryShape {
  products: number;
  stockedPerStore: number;
  salesPerDay: number;
  days: number;
  seed: number;
}

export const DEFAULT_HISTORY: HistoryShape = { products: 2000, stockedPerStore: 600, salesPerDay: 250, days: 365, seed: 20260308 };

type Row = unknown[];

export interface ShopRows {
  products: Row[];
  levels: Row[];
  batches: Row[];
  movements: Row[];
  receipts: Row[];
  receiptLines: Row[];
  writeOffs: Row[];
  writeOffLines: Row[];
}

export const COLUMNS = {
  products: ['tenant_id', 'id', 'sku', 'name', 'kind', 'unit', 'bunch_size', 'price', 'shelf_life_days', 'track_stock', 'archived', 'created_at', 'updated_at'],
  stock_levels: ['tenant_id', 'id', 'store_id', 'product_id', 'quantity', 'created_at', 'updated_at'],
  stock_batches: ['tenant_id', 'id', 'store_id', 'product_id', 'supplier_id', 'source', 'quantity_received', 'quantity_left', 'unit_cost', 'received_at', 'expires_at', 'created_at', 'updated_at'],
  stock_movements: ['tenant_id', 'id', 'store_id', 'product_id', 'batch_id', 'kind', 'quantity', 'cost', 'occurred_at', 'reason', 'document_type', 'document_id', 'employee_id', 'created_at'],
  goods_receipts: ['tenant_id', 'id', 'store_id', 'supplier_id', 'employee_id', 'note', 'invoice_number', 'received_at', 'total_cost', 'created_at', 'updated_at'],
  goods_receipt_lines: ['tenant_id', 'id', 'document_id', 'product_id', 'quantity', 'created_at', 'unit_cost', 'cost', 'batch_id'],
  write_offs: ['tenant_id', 'id', 'store_id', 'employee_id', 'note', 'reason', 'occurred_at', 'total_cost', 'created_at', 'updated_at'],
  write_off_lines: ['tenant_id', 'id', 'document_id', 'product_id', 'quantity', 'created_at', 'cost'],
} as const;

const DAY = 86_400_000;
const KINDS = [
  ['flower', 'stem', 0.6],
  ['greenery', 'bunch', 0.15],
  ['accessory', 'piece', 0.15],
  ['service', 'piece', 0.03],
  ['composition', 'piece', 0.07],
] as const;
const NAMES = ['Rose', 'Tulip', 'Peony', 'Chrysanthemum', 'Alstroemeria', 'Lily', 'Eustoma', 'Gerbera', 'Hydrangea', 'Ranunculus', 'Carnation', 'Freesia', 'Iris', 'Orchid'];

interface Product {
  id: string;
  unit: string;
  price: number;
  shelfLifeDays: number | null;
  tracked: boolean;
}

interface Batch {
  id: string;
  productId: string;
  unitCost: number;
  expiresAt: number;
  left: number;
  row: Row;
}

/** Whole units for stems and pieces, thousandths kept as integers; the rows carry decimal strings. */
const decimal = (units: number) => String(units);

export function shopHistory(tenantId: string, ownerId: string, storeIds: readonly string[], shape: HistoryShape, index: number): ShopRows {
  const random = seededRandom(shape.seed + index * 7919);
  const end = Date.now() - 60_000;
  const start = end - shape.days * DAY;
  const at = (ms: number) => new Date(Math.min(ms, end));
  const id = (ms: number) => uuidv7(random, at(ms));
  const rows: ShopRows = { products: [], levels: [], batches: [], movements: [], receipts: [], receiptLines: [], writeOffs: [], writeOffLines: [] };

  const products: Product[] = [];
  for (let i = 0; i < shape.products; i++) {
    let r = random();
    const [kind, unit] = KINDS.find(([, , share]) => (r -= share) < 0) ?? KINDS[0];
    const price = integer(random, 50, 900) * 100;
    const shelfLifeDays = kind === 'flower' ? integer(random, 4, 12) : kind === 'greenery' ? integer(random, 8, 20) : null;
    const tracked = kind !== 'service' && kind !== 'composition';
    const product = { id: id(start - DAY), unit, price, shelfLifeDays, tracked };
    products.push(product);
    const created = at(start - DAY);
    rows.products.push([tenantId, product.id, `SKU-${index}-${String(i).padStart(5, '0')}`, `${pick(random, NAMES)} ${kind} ${i}`, kind, unit, unit === 'bunch' ? 10 : null, price, shelfLifeDays, tracked, false, created, created]);
  }
  const tracked = products.filter((p) => p.tracked);

  for (const storeId of storeIds) {
    const stocked = [...tracked].sort(() => random() - 0.5).slice(0, shape.stockedPerStore);
    const level = new Map<string, number>(stocked.map((p) => [p.id, 0]));
    const open = new Map<string, Batch[]>(stocked.map((p) => [p.id, []]));
    const every = new Map(stocked.map((p) => [p.id, integer(random, 2, 7)]));
    const movement = (ms: number, p: string, batch: Batch | null, kind: string, quantity: number, cost: number | null, doc: [string, string] | null, reason: string | null) =>
      rows.movements.push([tenantId, id(ms), storeId, p, batch?.id ?? null, kind, decimal(quantity), cost, at(ms), reason, doc?.[0] ?? null, doc?.[1] ?? null, ownerId, at(ms)]);

    for (let day = 0; day < shape.days; day++) {
      const morning = start + day * DAY + 8 * 3600_000;
      // Deliveries in the morning: one receipt per store and day.
      const due = stocked.filter((p) => day % every.get(p.id)! === 0);
      if (due.length) {
        const receiptId = id(morning);
        let total = 0;
        for (const p of due) {
          const quantity = p.unit === 'bunch' ? integer(random, 1, 5) : integer(random, 5, 30);
          const unitCost = Math.round(p.price * (0.3 + random() * 0.2));
          const expiresAt = p.shelfLifeDays === null ? Number.POSITIVE_INFINITY : morning + p.shelfLifeDays * DAY;
          const batchId = id(morning);
          const row: Row = [tenantId, batchId, storeId, p.id, null, 'receipt', decimal(quantity), '', unitCost, at(morning), p.shelfLifeDays === null ? null : at(expiresAt), at(morning), at(morning)];
          const batch = { id: batchId, productId: p.id, unitCost, expiresAt, left: quantity, row };
          open.get(p.id)!.push(batch);
          rows.batches.push(row);
          level.set(p.id, level.get(p.id)! + quantity);
          movement(morning, p.id, batch, 'receipt', quantity, quantity * unitCost, ['goods-receipts', receiptId], null);
          rows.receiptLines.push([tenantId, id(morning), receiptId, p.id, decimal(quantity), at(morning), unitCost, quantity * unitCost, batchId]);
          total += quantity * unitCost;
        }
        rows.receipts.push([tenantId, receiptId, storeId, null, ownerId, null, `INV-${day}`, at(morning), total, at(morning), at(morning)]);
      }
      // Sales through the day, first expiring first, never beyond stock.
      for (let s = 0; s < shape.salesPerDay; s++) {
        const when = morning + 3600_000 + Math.floor((s / shape.salesPerDay) * 11 * 3600_000);
        const p = pick(random, stocked);
        let want = p.unit === 'stem' ? integer(random, 1, 9) : 1;
        if (level.get(p.id)! < want) continue;
        level.set(p.id, level.get(p.id)! - want);
        const saleId = id(when);
        for (const batch of open.get(p.id)!) {
          if (want === 0) break;
          const part = Math.min(batch.left, want);
          if (part === 0) continue;
          batch.left -= part;
          want -= part;
          movement(when, p.id, batch, 'sale', -part, part * batch.unitCost, ['sales', saleId], null);
        }
      }
      // What expired is written off in the evening.
      const evening = morning + 12 * 3600_000;
      const writeOffId = id(evening);
      let written = 0;
      for (const p of stocked) {
        for (const batch of open.get(p.id)!) {
          if (batch.left === 0 || batch.expiresAt > evening) continue;
          movement(evening, p.id, batch, 'write-off', -batch.left, batch.left * batch.unitCost, ['write-offs', writeOffId], 'wilted');
          rows.writeOffLines.push([tenantId, id(evening), writeOffId, p.id, decimal(batch.left), at(evening), batch.left * batch.unitCost]);
          written += batch.left * batch.unitCost;
          level.set(p.id, level.get(p.id)! - batch.left);
          batch.left = 0;
        }
        open.set(p.id, open.get(p.id)!.filter((b) => b.left > 0));
      }
      if (written) rows.writeOffs.push([tenantId, writeOffId, storeId, ownerId, null, 'wilted', at(evening), written, at(evening), at(evening)]);
    }
    for (const batch of rows.batches) if (batch[2] === storeId && batch[7] === '') batch[7] = '0';
    for (const list of open.values()) for (const batch of list) batch.row[7] = decimal(batch.left);
    for (const p of stocked) rows.levels.push([tenantId, id(end), storeId, p.id, decimal(level.get(p.id)!), at(start), at(end)]);
  }
  return rows;
}
