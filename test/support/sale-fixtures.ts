import type { TestApp } from './app-harness';
import { one } from './catalog-fixtures';
import type { Shop } from './fixtures';
import { atomic, newStore, receive, stemProduct } from './stock-fixtures';

export interface SaleLineSpec {
  product: string;
  quantity: string;
  unitPrice?: number;
  discount?: number;
}

export interface SaleSpec {
  store: string;
  lines: SaleLineSpec[];
  /** [method, amount]; by default one cash payment of the total the lines make at their unitPrice. */
  payments?: Array<[string, number]>;
  attributes?: Record<string, unknown>;
  employee?: string;
  /** A client-generated id for the sale (a device's UUIDv7) instead of a lid. */
  id?: string;
  /** The lid the lines and payments name the sale by. */
  lid?: string;
}

/** What the lines come to when each names its unitPrice (else pass payments). */
const linesTotal = (lines: SaleLineSpec[]) => lines.reduce((sum, l) => sum + Math.round(Number(l.quantity) * (l.unitPrice ?? 0)) - (l.discount ?? 0), 0);

/** A sale, its lines and its payments as atomic operations: the lines and payments name the sale by lid (or its id). */
export function saleOperations({ store, lines, payments, attributes = {}, employee, id, lid = 'sale' }: SaleSpec) {
  const ref = id ? { type: 'sales', id } : { type: 'sales', lid };
  const paid = payments ?? [['cash', linesTotal(lines) - Number(attributes.discount ?? 0)] as [string, number]];
  return [
    {
      op: 'add',
      data: { type: 'sales', ...(id ? { id } : { lid }), attributes, relationships: { store: one('stores', store), ...(employee && { employee: one('employees', employee) }) } },
    },
    ...lines.map(({ product, quantity, unitPrice, discount }) => ({
      op: 'add',
      data: {
        type: 'sale-lines',
        attributes: { quantity, ...(unitPrice !== undefined && { unitPrice }), ...(discount !== undefined && { discount }) },
        relationships: { sale: { data: ref }, product: one('products', product) },
      },
    })),
    ...paid
      .filter(([, amount]) => amount > 0)
      .map(([method, amount]) => ({ op: 'add', data: { type: 'payments', attributes: { method, amount }, relationships: { sale: { data: ref } } } })),
  ];
}

/** Sells through the API; fails loudly otherwise. Returns the ids of the sale, its lines and its payments. */
export async function sell(t: TestApp, token: string, spec: SaleSpec) {
  const res = await atomic(t, token, saleOperations(spec));
  if (res.status !== 200) throw new Error(`selling failed: ${res.status} ${res.text}`);
  const results = res.body['atomic:results'] as Array<{ data: { id: string; type: string } }>;
  return {
    sale: results[0].data.id,
    lines: results.filter((r) => r.data.type === 'sale-lines').map((r) => r.data.id),
    payments: results.filter((r) => r.data.type === 'payments').map((r) => r.data.id),
  };
}

/** A sale with a line and a payment, per shop (made on first use), for the cross-tenant suite. */
const made = new WeakMap<Shop, ReturnType<typeof sell>>();

async function fixtureSale(t: TestApp, shop: Shop) {
  const store = await newStore(t, shop.accessToken, 'Sale fixture');
  const rose = await stemProduct(t, shop.accessToken, 'Sale fixture rose');
  await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '5', unitCost: 100 }]);
  return sell(t, shop.accessToken, { store, lines: [{ product: rose.id, quantity: '2', unitPrice: 15000 }] });
}

const saleOf = (t: TestApp, shop: Shop) => {
  if (!made.has(shop)) made.set(shop, fixtureSale(t, shop));
  return made.get(shop)!;
};

export const SALE_FACTORIES: Record<string, (t: TestApp, shop: Shop) => Promise<string>> = {
  sales: async (t, shop) => (await saleOf(t, shop)).sale,
  'sale-lines': async (t, shop) => (await saleOf(t, shop)).lines[0],
  payments: async (t, shop) => (await saleOf(t, shop)).payments[0],
};
