import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { bouquet, composition, create, flower, one } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { newStore, receive, stemProduct } from '../support/stock-fixtures';

describe(`inventory catalog: products, recipes, suppliers (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (type: string, attributes: Record<string, unknown>, relationships?: Record<string, unknown>) =>
    t.request('POST', `/api/v1/${type}`, { token: shop.accessToken, body: { data: { type, attributes, ...(relationships && { relationships }) } } });
  const get = (url: string) => t.request('GET', url, { token: shop.accessToken });
  const patch = (id: string, attributes: Record<string, unknown>) =>
    t.request('PATCH', `/api/v1/products/${id}`, { token: shop.accessToken, body: { data: { type: 'products', id, attributes } } });
  const recipe = (compositionId: string, componentId: string, quantity: string) =>
    post('recipe-items', { quantity }, { composition: one('products', compositionId), component: one('products', componentId) });

  describe('products', () => {
    it('defaults stock tracking by kind and keeps money in minor units', async () => {
      const rose = await create(t, shop.accessToken, 'products', { ...flower('Red Naomi', 18900), sku: 'ROSE-RN-60' });
      const delivery = await create(t, shop.accessToken, 'products', { name: 'Delivery', kind: 'service', unit: 'piece', price: 50000 });
      const eucalyptus = await create(t, shop.accessToken, 'products', { name: 'Eucalyptus', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 60000 });
      expect(rose.attributes).toMatchObject({ price: 18900, trackStock: true, archived: false, unit: 'stem', bunchSize: null });
      expect(delivery.attributes.trackStock).toBe(false);
      expect(eucalyptus.attributes).toMatchObject({ unit: 'bunch', bunchSize: 10 });
    });

    it.each([
      [{ ...flower('Float price'), price: 189.5 }, '/data/attributes/price', 422],
      [{ ...flower('Negative'), price: -1 }, '/data/attributes/price', 422],
      [{ ...flower('String price'), price: '100' }, '/data/attributes/price', 422],
      [{ ...flower('Bad kind'), kind: 'tree' }, '/data/attributes/kind', 422],
      [{ name: 'Bunch without size', kind: 'greenery', unit: 'bunch', price: 1 }, '/data/attributes/bunchSize', 422],
      [{ ...flower('Stem with size'), bunchSize: 5 }, '/data/attributes/bunchSize', 422],
      [{ name: 'Counted service', kind: 'service', unit: 'piece', price: 1, trackStock: true }, '/data/attributes/trackStock', 422],
    ])('refuses %p with a pointer and writes nothing', async (attributes, pointer, status) => {
      const before = (await t.request('GET', '/api/v1/products', { token: shop.accessToken })).body.meta.total;
      const res = await post('products', attributes);
      expect(res.status).toBe(status);
      expect(res.body.errors.map((e: any) => e.source.pointer)).toContain(pointer);
      expect((await t.request('GET', '/api/v1/products', { token: shop.accessToken })).body.meta.total).toBe(before);
    });

    it('refuses a second product with the same sku with 409', async () => {
      await create(t, shop.accessToken, 'products', { ...flower('First'), sku: 'DUP-1' });
      const res = await post('products', { ...flower('Second'), sku: 'DUP-1' });
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'sku-taken', source: { pointer: '/data/attributes/sku' } });
    });

    it('refuses to delete a product a recipe uses, and deletes an unused one', async () => {
      const { product, parts } = await bouquet(t, shop.accessToken, 'In use', 1);
      for (const id of [parts[0].part.id, product.id]) {
        const used = await t.request('DELETE', `/api/v1/products/${id}`, { token: shop.accessToken });
        expect(used.status).toBe(409);
        expect(used.body.errors[0]).toMatchObject({ code: 'product-in-use', detail: expect.stringContaining('archive it') });
        expect((await get(`/api/v1/products/${id}`)).status).toBe(200);
      }
      const unused = await create(t, shop.accessToken, 'products', flower('Unused'));
      expect((await t.request('DELETE', `/api/v1/products/${unused.id}`, { token: shop.accessToken })).status).toBe(204);
      expect((await get(`/api/v1/products/${unused.id}`)).status).toBe(404);
    });

    it('refuses to delete a product with stock history, removing nothing', async () => {
      const store = await newStore(t, shop.accessToken, 'History store');
      const rose = await stemProduct(t, shop.accessToken, 'Rose with history');
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '5', unitCost: 100 }]);
      const stock = async () => ({
        product: (await get(`/api/v1/products/${rose.id}`)).status,
        levels: (await get(`/api/v1/stock-levels?filter[product]=${rose.id}`)).body.data.map((l: any) => l.attributes.quantity),
        batches: (await get(`/api/v1/stock-batches?filter[product]=${rose.id}`)).body.data.length,
        movements: (await get(`/api/v1/stock-movements?filter[product]=${rose.id}`)).body.data.length,
        lines: (await get(`/api/v1/goods-receipt-lines?filter[product]=${rose.id}`)).body.data.length,
      });
      const before = await stock();
      expect(before).toEqual({ product: 200, levels: ['5'], batches: 1, movements: 1, lines: 1 });
      const res = await t.request('DELETE', `/api/v1/products/${rose.id}`, { token: shop.accessToken });
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'product-in-use', detail: 'This product has stock history; archive it (archived: true) instead of deleting it.' });
      expect(await stock()).toEqual(before);
      const archived = await patch(rose.id, { archived: true });
      expect([archived.status, archived.body.data.attributes.archived]).toEqual([200, true]);
    });
  });

  describe('what a product’s stock is counted in', () => {
    const refused = async (id: string, attributes: Record<string, unknown>, pointer: string) => {
      const before = (await get(`/api/v1/products/${id}`)).body.data.attributes;
      const res = await patch(id, attributes);
      expect({ status: res.status, code: res.body.errors?.[0]?.code, pointer: res.body.errors?.[0]?.source?.pointer }).toEqual({ status: 409, code: 'product-in-use', pointer });
      expect((await get(`/api/v1/products/${id}`)).body.data.attributes).toEqual(before);
    };

    it('keeps unit, bunch size, kind and stock tracking of a product with stock history', async () => {
      const store = await newStore(t, shop.accessToken, 'Units store');
      const salal = await create(t, shop.accessToken, 'products', { name: 'Counted salal', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 100 });
      await receive(t, shop.accessToken, store, [{ product: salal.id, quantity: '2.5', unitCost: 100 }]);
      await refused(salal.id, { unit: 'stem', bunchSize: null }, '/data/attributes/unit');
      await refused(salal.id, { bunchSize: 5 }, '/data/attributes/bunchSize');
      await refused(salal.id, { kind: 'accessory' }, '/data/attributes/kind');
      await refused(salal.id, { trackStock: false }, '/data/attributes/trackStock');
      // Naming the same values, or changing anything else, is fine.
      const same = await patch(salal.id, { unit: 'bunch', bunchSize: 10, kind: 'greenery', trackStock: true, price: 120 });
      expect([same.status, same.body.data.attributes.price]).toEqual([200, 120]);
    });

    it('keeps what recipes count in, lets a component start or stop being counted, but not a composition with a recipe', async () => {
      const { product, parts } = await bouquet(t, shop.accessToken, 'Counted bouquet', 1);
      const part = parts[0].part;
      await refused(part.id, { unit: 'piece' }, '/data/attributes/unit');
      await refused(part.id, { kind: 'composition' }, '/data/attributes/kind');
      await refused(product.id, { trackStock: true }, '/data/attributes/trackStock');
      await refused(product.id, { kind: 'accessory' }, '/data/attributes/kind');
      const untracked = await patch(part.id, { trackStock: false });
      expect([untracked.status, untracked.body.data.attributes.trackStock]).toEqual([200, false]);
    });

    it('lets a product nobody has stocked or used change what it is counted in', async () => {
      const fresh = await create(t, shop.accessToken, 'products', flower('Fresh start'));
      const res = await patch(fresh.id, { unit: 'bunch', bunchSize: 5, kind: 'greenery', trackStock: false });
      expect(res.status).toBe(200);
      expect(res.body.data.attributes).toMatchObject({ unit: 'bunch', bunchSize: 5, kind: 'greenery', trackStock: false });
    });
  });

  describe('recipes', () => {
    const itemsOf = async (compositionId: string) => (await get(`/api/v1/recipe-items?filter[composition]=${compositionId}`)).body.data.map((i: any) => i.id);

    it('refuses a recipe that contains itself, directly or through another composition, and writes nothing', async () => {
      const basket = await create(t, shop.accessToken, 'products', composition('Basket'));
      const inner = await create(t, shop.accessToken, 'products', composition('Inner bouquet'));
      const item = await recipe(basket.id, inner.id, '1');
      expect(item.status).toBe(201);

      const direct = await recipe(basket.id, basket.id, '1');
      expect(direct.status).toBe(422);
      expect(direct.body.errors[0]).toMatchObject({ code: 'recipe-cycle', source: { pointer: '/data/relationships/component/data' } });
      expect(await itemsOf(basket.id)).toEqual([item.body.data.id]);
      const indirect = await recipe(inner.id, basket.id, '1');
      expect(indirect.status).toBe(422);
      expect(indirect.body.errors[0]).toMatchObject({ code: 'recipe-cycle', source: { pointer: '/data/relationships/component/data' } });
      expect(await itemsOf(inner.id)).toEqual([]);
      expect(await itemsOf(basket.id)).toEqual([item.body.data.id]);
    });

    it('refuses a recipe item that would nest recipes deeper than a sale expands (20 levels), and writes nothing', async () => {
      const chain = [];
      for (let i = 0; i <= 20; i++) chain.push(await create(t, shop.accessToken, 'products', composition(`Level ${i}`)));
      for (let i = 0; i < 20; i++) expect((await recipe(chain[i].id, chain[i + 1].id, '1')).status).toBe(201);
      const stem = await create(t, shop.accessToken, 'products', flower('Too deep'));
      const deeper = await recipe(chain[20].id, stem.id, '1');
      expect(deeper.status).toBe(422);
      expect(deeper.body.errors[0]).toMatchObject({ code: 'recipe-too-deep', source: { pointer: '/data/relationships/component/data' } });
      expect(deeper.body.errors[0].detail).toContain('21 levels deep; at most 20');
      expect(await itemsOf(chain[20].id)).toEqual([]);
      const above = await create(t, shop.accessToken, 'products', composition('Level -1'));
      expect((await recipe(above.id, chain[0].id, '1')).status).toBe(422);
      expect(await itemsOf(above.id)).toEqual([]);
      // Beside the chain, at the same depth, is fine.
      expect((await recipe(chain[19].id, stem.id, '1')).status).toBe(201);
    });

    it('refuses fractional stems but takes half a bunch', async () => {
      const bouquetProduct = await create(t, shop.accessToken, 'products', composition('Fractions'));
      const rose = await create(t, shop.accessToken, 'products', flower('Whole rose'));
      const greens = await create(t, shop.accessToken, 'products', { name: 'Salal', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 40000 });
      const half = await recipe(bouquetProduct.id, rose.id, '2.5');
      expect(half.status).toBe(422);
      expect(half.body.errors[0]).toMatchObject({ code: 'fractional-quantity', source: { pointer: '/data/attributes/quantity' } });
      const bunch = await recipe(bouquetProduct.id, greens.id, '0.5');
      expect(bunch.status).toBe(201);
      expect(bunch.body.data.attributes.quantity).toBe('0.5');
    });

    it.each([['0'], ['-1'], ['1e3'], ['abc'], ['1.2345'], [3 as unknown as string]])('refuses quantity %p', async (quantity) => {
      const { product, parts } = await bouquet(t, shop.accessToken, `Quantity ${quantity}`, 1);
      const extra = await create(t, shop.accessToken, 'products', flower(`Extra ${quantity}`));
      const res = await recipe(product.id, extra.id, quantity);
      expect(res.status).toBe(422);
      expect(res.body.errors[0].source.pointer).toBe('/data/attributes/quantity');
      void parts;
    });

    it('refuses a component in a product that is not a composition, an archived one, and the same component twice', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Not a bouquet'));
      const other = await create(t, shop.accessToken, 'products', flower('Other'));
      expect((await recipe(rose.id, other.id, '1')).body.errors[0].code).toBe('not-a-composition');

      const archived = await create(t, shop.accessToken, 'products', { ...flower('Archived'), archived: true });
      const { product, parts } = await bouquet(t, shop.accessToken, 'Twice', 1);
      expect((await recipe(product.id, archived.id, '1')).body.errors[0].code).toBe('product-archived');
      const twice = await recipe(product.id, parts[0].part.id, '2');
      expect(twice.status).toBe(409);
      expect(twice.body.errors[0].code).toBe('duplicate-component');
    });

    it('needs both relationships to create a recipe item', async () => {
      const res = await post('recipe-items', { quantity: '1' });
      expect(res.status).toBe(422);
      expect(res.body.errors[0].source.pointer).toBe('/data/relationships');
    });
  });

  describe('suppliers', () => {
    it('stores the contact phone only as ciphertext and returns it decrypted', async () => {
      const phone = '+7 916 555-01-23';
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Flora Holland', contactPhone: phone });
      expect(supplier.attributes.contactPhone).toBe(phone);
      expect((await t.request('GET', `/api/v1/suppliers/${supplier.id}`, { token: shop.accessToken })).body.data.attributes.contactPhone).toBe(phone);

      const em = await t.app.get(ShardRegistry).manager({ shardId: await shardOf(t, shop.tenantId) });
      const [row] = await em.query('SELECT contact_phone_ciphertext AS value FROM suppliers WHERE id = ?', [supplier.id]);
      expect(row.value).toMatch(PROFILE === 'services' ? /^vault:v\d+:/ : /^local:v\d+:/);
      expect(row.value).not.toMatch(/555\D?01\D?23/);
      const cleared = await t.request('PATCH', `/api/v1/suppliers/${supplier.id}`, {
        token: shop.accessToken,
        body: { data: { type: 'suppliers', id: supplier.id, attributes: { contactPhone: null } } },
      });
      expect(cleared.body.data.attributes).toMatchObject({ name: 'Flora Holland', contactPhone: null });
    });
  });
});
