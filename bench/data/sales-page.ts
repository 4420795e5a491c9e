import { integer, pick, seededRandom, uuidv7 } from './random';

/**
 * One page of `sales` as the resource graph hands it to the serializer for
 * `GET /api/v1/sales?include=store,lines&page[size]=100`: the primary records with
 * the linkage loaded for them, and the included records, each once, in the order
 * first reached (all stores, then all lines), as `ResourceGraph` yields them.
 * Records look like what TypeORM returns: dates are `Date`s, money is integer
 * minor units, the to-one relationship is a foreign-key column.
 */

export interface SaleRecord {
  id: string;
  number: string;
  soldAt: Date;
  receivedAt: Date;
  status: 'completed' | 'refunded' | 'voided';
  subtotal: number;
  discount: number;
  total: number;
  offline: boolean;
  storeId: string;
}

export interface StoreRecord {
  id: string;
  name: string;
  address: string | null;
  timeZone: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SaleLineRecord {
  id: string;
  quantity: number;
  unitPrice: number;
  discount: number;
  total: number;
}

export interface SaleLinkage {
  store: string;
  lines: string[];
}

export interface SalesPage {
  primary: { record: SaleRecord; linkage: SaleLinkage }[];
  included: { stores: StoreRecord[]; lines: SaleLineRecord[] };
  /** Top-level pagination links (page 2 of several, so none is null). */
  links: { self: string; first: string; prev: string; next: string; last: string };
  total: number;
}

export interface SalesPageShape {
  sales: number;
  stores: number;
  /** Distinct related records the to-many relationship draws from. */
  lines: number;
  linesPerSale: number;
  seed: number;
}

export const DEFAULT_SHAPE: SalesPageShape = { sales: 100, stores: 5, lines: 60, linesPerSale: 3, seed: 20260308 };

const STORE_NAMES = ['Rose & Co — Tverskaya', 'Rose & Co — Arbat', 'Rose & Co at Kurskaya station', 'Rose & Co — Sokol', 'Rose & Co Flower Market'];
const STREETS = ['ул. Тверская', 'ул. Арбат', 'Земляной Вал', 'Ленинградский пр-т', 'Цветной бульвар'];
const STATUSES = ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'refunded', 'voided'] as const;

export function generateSalesPage(shape: SalesPageShape = DEFAULT_SHAPE): SalesPage {
  const random = seededRandom(shape.seed);
  const opened = new Date('2024-02-01T07:00:00.000Z');
  const stores: StoreRecord[] = Array.from({ length: shape.stores }, (_, i) => {
    const createdAt = new Date(opened.getTime() + i * 86_400_000 * 37 + integer(random, 0, 86_399_999));
    return {
      id: uuidv7(random, createdAt),
      name: STORE_NAMES[i % STORE_NAMES.length],
      address: i === shape.stores - 1 ? null : `${STREETS[i % STREETS.length]}, ${integer(random, 1, 60)}, Москва`,
      timeZone: 'Europe/Moscow',
      createdAt,
      updatedAt: new Date(createdAt.getTime() + integer(random, 0, 400) * 86_400_000),
    };
  });
  const day = new Date('2026-03-07T05:00:00.000Z'); // the eve of 8 March
  const lines: SaleLineRecord[] = Array.from({ length: shape.lines }, () => {
    const quantity = pick(random, [1, 3, 5, 7, 9, 11, 15, 25, 51]);
    const unitPrice = pick(random, [9_000, 12_000, 15_000, 18_000, 25_000, 35_000]);
    const discount = random() < 0.2 ? Math.round((quantity * unitPrice) / 10) : 0;
    return { id: uuidv7(random, day), quantity, unitPrice, discount, total: quantity * unitPrice - discount };
  });
  // Every line is used: sale i takes lines order[(i * linesPerSale + k) % lines].
  const order = lines.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = integer(random, 0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const primary = Array.from({ length: shape.sales }, (_, i) => {
    const store = stores[i < shape.stores ? i : integer(random, 0, shape.stores - 1)];
    const lineIds = Array.from({ length: shape.linesPerSale }, (_, k) => lines[order[(i * shape.linesPerSale + k) % lines.length]].id);
    const subtotal = lineIds.reduce((sum, id) => sum + lines.find((l) => l.id === id)!.total, 0);
    const discount = random() < 0.3 ? Math.round(subtotal * 0.05) : 0;
    const soldAt = new Date(day.getTime() + i * 417_000 + integer(random, 0, 400_000));
    const offline = random() < 0.15;
    const record: SaleRecord = {
      id: uuidv7(random, soldAt),
      number: `S-${String(i + 1).padStart(6, '0')}`,
      soldAt,
      receivedAt: new Date(soldAt.getTime() + (offline ? integer(random, 60_000, 7_200_000) : integer(random, 30, 900))),
      status: pick(random, STATUSES),
      subtotal,
      discount,
      total: subtotal - discount,
      offline,
      storeId: store.id,
    };
    return { record, linkage: { store: store.id, lines: lineIds } };
  });
  const firstReached = <T extends { id: string }>(records: readonly T[], ids: string[]): T[] => {
    const byId = new Map(records.map((r) => [r.id, r]));
    return [...new Set(ids)].map((id) => byId.get(id)!);
  };
  const path = '/api/v1/sales?include=store%2Clines&sort=-soldAt';
  const total = shape.sales * 4 + 17;
  const lastPage = Math.ceil(total / shape.sales);
  const at = (n: number) => `${path}&page%5Bnumber%5D=${n}&page%5Bsize%5D=${shape.sales}`;
  return {
    primary,
    included: {
      stores: firstReached(stores, primary.map((p) => p.linkage.store)),
      lines: firstReached(lines, primary.flatMap((p) => p.linkage.lines)),
    },
    links: { self: at(2), first: at(1), prev: at(1), next: at(3), last: at(lastPage) },
    total,
  };
}
