import { randomBytes } from 'node:crypto';
import type { TestApp } from './app-harness';
import { create, flower, one } from './catalog-fixtures';
import { type Shop, uniqueEmail } from './fixtures';
import { ORDER_FACTORIES } from './order-fixtures';
import { SALE_FACTORIES } from './sale-fixtures';
import { STOCK_FACTORIES } from './stock-fixtures';

/**
 * One record of a resource type, made through the API by a shop's owner. The
 * cross-tenant suite needs one for every registered type: a type without a
 * factory here fails that suite by name, so nobody forgets to attack a new one.
 */
export type Factory = (t: TestApp, shop: Shop) => Promise<string>;

const anyOf = async (t: TestApp, shop: Shop, type: string) => {
  const res = await t.request('GET', `/api/v1/${type}?page[size]=1`, { token: shop.accessToken });
  if (!res.body.data?.length) throw new Error(`no ${type} to attack`);
  return res.body.data[0].id as string;
};

export const FACTORIES: Record<string, Factory> = {
  tenants: async (_t, shop) => shop.tenantId,
  stores: async (t, shop) => (await create(t, shop.accessToken, 'stores', { name: 'Fixture store' })).id,
  products: async (t, shop) => (await create(t, shop.accessToken, 'products', flower('Fixture rose'))).id,
  suppliers: async (t, shop) => (await create(t, shop.accessToken, 'suppliers', { name: 'Fixture supplier', contactPhone: '+7 916 000-00-01' })).id,
  'recipe-items': async (t, shop) => {
    const composition = await create(t, shop.accessToken, 'products', { name: 'Fixture bouquet', kind: 'composition', unit: 'piece', price: 1 });
    const part = await create(t, shop.accessToken, 'products', flower('Fixture part'));
    return (await create(t, shop.accessToken, 'recipe-items', { quantity: '2' }, { composition: one('products', composition.id), component: one('products', part.id) })).id;
  },
  employees: async (t, shop) =>
    (await create(t, shop.accessToken, 'employees', { name: 'Fixture florist', email: uniqueEmail('fixture'), phone: '+7 916 000-00-02', role: 'florist' })).id,
  'device-tokens': async (t, shop) => {
    const store = await create(t, shop.accessToken, 'stores', { name: 'Device store' });
    return (await create(t, shop.accessToken, 'device-tokens', { name: 'Fixture till' }, { store: one('stores', store.id) })).id;
  },
  'audit-events': (t, shop) => anyOf(t, shop, 'audit-events'),
  // Names are unique per shop: a factory may run twice for one.
  'integration-secrets': async (t, shop) =>
    (await create(t, shop.accessToken, 'integration-secrets', { name: `Fixture terminal ${randomBytes(4).toString('hex')}`, kind: 'payment-terminal', value: 'fixture-terminal-key' })).id,
  ...STOCK_FACTORIES,
  ...ORDER_FACTORIES,
  ...SALE_FACTORIES,
};
