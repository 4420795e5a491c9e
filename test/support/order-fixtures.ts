import type { TestApp } from './app-harness';
import { create, flower, one } from './catalog-fixtures';
import { type Shop, newEmployee } from './fixtures';
import { atomic, newStore } from './stock-fixtures';

export interface OrderLineSpec {
  product: string;
  quantity: string;
  unitPrice?: number;
}

/** An order's attributes with everything required; `overrides` replace any of them. */
export const orderAttributes = (overrides: Record<string, unknown> = {}) => ({
  deliveryDate: '2026-03-08',
  deliverySlot: '10:00-12:00',
  recipientName: 'Maria Ivanova',
  recipientPhone: '+7 916 123-45-67',
  address: 'Tverskaya 1, apt 5',
  cardMessage: 'Happy 8 March!',
  ...overrides,
});

/** An order and its lines as atomic operations: the lines name the order by lid. */
export function orderOperations(storeId: string, lines: OrderLineSpec[], attributes: Record<string, unknown> = {}, courierId?: string) {
  return [
    {
      op: 'add',
      data: {
        type: 'orders',
        lid: 'order',
        attributes: orderAttributes(attributes),
        relationships: { store: one('stores', storeId), ...(courierId && { courier: one('employees', courierId) }) },
      },
    },
    ...lines.map(({ product, quantity, unitPrice }) => ({
      op: 'add',
      data: {
        type: 'order-lines',
        attributes: { quantity, ...(unitPrice !== undefined && { unitPrice }) },
        relationships: { order: { data: { type: 'orders', lid: 'order' } }, product: one('products', product) },
      },
    })),
  ];
}

/** Places an order through the API; fails loudly otherwise. Returns the order's and the lines' ids. */
export async function placeOrder(t: TestApp, token: string, storeId: string, lines: OrderLineSpec[], attributes: Record<string, unknown> = {}, courierId?: string) {
  const res = await atomic(t, token, orderOperations(storeId, lines, attributes, courierId));
  if (res.status !== 200) throw new Error(`placing an order failed: ${res.status} ${res.text}`);
  const [order, ...orderLines] = res.body['atomic:results'].map((r: { data: { id: string } }) => r.data.id) as string[];
  return { order, lines: orderLines };
}

/** An order with a line and a courier, per shop (made on first use), for the cross-tenant suite. */
const made = new WeakMap<Shop, Promise<{ order: string; lines: string[] }>>();

async function fixtureOrder(t: TestApp, shop: Shop) {
  const store = await newStore(t, shop.accessToken, 'Order fixture');
  const courier = await newEmployee(t, shop.accessToken, 'courier', [store]);
  const rose = await create(t, shop.accessToken, 'products', flower('Order fixture rose'));
  return placeOrder(t, shop.accessToken, store, [{ product: rose.id, quantity: '3' }], {}, courier.id);
}

const orderOf = (t: TestApp, shop: Shop) => {
  if (!made.has(shop)) made.set(shop, fixtureOrder(t, shop));
  return made.get(shop)!;
};

export const ORDER_FACTORIES: Record<string, (t: TestApp, shop: Shop) => Promise<string>> = {
  orders: async (t, shop) => (await orderOf(t, shop)).order,
  'order-lines': async (t, shop) => (await orderOf(t, shop)).lines[0],
};
