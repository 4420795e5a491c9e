import type { TestApp } from './app-harness';

/** Writes through the API and returns the created resource object, failing loudly otherwise. */
export async function create(t: TestApp, token: string, type: string, attributes: Record<string, unknown>, relationships?: Record<string, unknown>, id?: string) {
  const res = await t.request('POST', `/api/v1/${type}`, {
    token,
    body: { data: { type, ...(id && { id }), attributes, ...(relationships && { relationships }) } },
  });
  if (res.status !== 201) throw new Error(`creating ${type} failed: ${res.status} ${res.text}`);
  return res.body.data as { id: string; type: string; attributes: Record<string, any>; relationships?: Record<string, any> };
}

export const one = (type: string, id: string) => ({ data: { type, id } });
export const many = (type: string, ids: string[]) => ({ data: ids.map((id) => ({ type, id })) });

export const flower = (name: string, price = 15000) => ({ name, kind: 'flower', unit: 'stem', price, shelfLifeDays: 7 });
export const composition = (name: string, price = 450000) => ({ name, kind: 'composition', unit: 'piece', price });

/** A bouquet of `n` components, each its own flower, with its recipe items. */
export async function bouquet(t: TestApp, token: string, name: string, n = 2) {
  const product = await create(t, token, 'products', composition(name));
  const parts = [];
  for (let i = 0; i < n; i++) {
    const part = await create(t, token, 'products', flower(`${name} flower ${i}`));
    const item = await create(t, token, 'recipe-items', { quantity: String(i + 3) }, { composition: one('products', product.id), component: one('products', part.id) });
    parts.push({ part, item });
  }
  return { product, parts };
}
