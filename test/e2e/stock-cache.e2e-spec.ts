import { StockLedger } from '../../src/modules/inventory/stock-ledger.service';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, one } from '../support/catalog-fixtures';
import { type Shop, newEmployee, newShop } from '../support/fixtures';
import { atomic, documentOperations, newStore, receive, serviceContext, stemProduct } from '../support/stock-fixtures';

describe(`the cached stock read (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let store: string;
  let other: string;
  let rose: { id: string };

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    store = await newStore(t, shop.accessToken, 'Cached store');
    other = await newStore(t, shop.accessToken, 'Other store');
    rose = await stemProduct(t, shop.accessToken, 'Cached rose');
    await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 100 }]);
    await receive(t, shop.accessToken, other, [{ product: rose.id, quantity: '1', unitCost: 100 }]);
  });
  afterAll(async () => {
    await t.close();
  });

  const read = (url = `/api/v1/stock-levels?filter[store]=${store}`, token = shop.accessToken) => t.request('GET', url, { token });
  const quantity = (res: { body: any }) => res.body.data[0]?.attributes.quantity;

  it('serves a repeated read from the cache with the same document', async () => {
    const first = await read();
    const second = await read();
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['miss', 'hit']);
    expect(second.status).toBe(200);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.text).toBe(first.text);
    expect(quantity(second)).toBe('10');
  });

  it('is fresh on the next read after any committed movement in that store, and only that store', async () => {
    await read();
    const elsewhere = `/api/v1/stock-levels?filter[store]=${other}`;
    await read(elsewhere);
    await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '5', unitCost: 100 }]);
    const after = await read();
    expect([after.headers['x-cache'], quantity(after)]).toEqual(['miss', '15']);
    expect((await read(elsewhere)).headers['x-cache']).toBe('hit');

    await t.app.get(StockLedger).consume(await serviceContext(t, shop), store, [{ productId: rose.id, quantity: '2' }]);
    const sold = await read();
    expect([sold.headers['x-cache'], quantity(sold)]).toEqual(['miss', '13']);
  });

  it('is fresh after a count that creates a level at zero, with no movement; a count that changes nothing keeps the cache', async () => {
    const fresh = await stemProduct(t, shop.accessToken, 'Counted, never stocked');
    const countZero = async () => {
      const res = await atomic(
        t,
        shop.accessToken,
        documentOperations('stock-counts', 'stockCount', { relationships: { store: one('stores', store) } }, [{ product: fresh.id, quantity: '0' }], ({ quantity }) => ({ countedQuantity: quantity })),
      );
      expect(res.status).toBe(200);
    };
    await read();
    expect((await read()).headers['x-cache']).toBe('hit');
    await countZero();
    const after = await read();
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.body.data.filter((l: any) => l.relationships.product.data.id === fresh.id).map((l: any) => l.attributes.quantity)).toEqual(['0']);
    await countZero();
    expect((await read()).headers['x-cache']).toBe('hit');
  });

  it('keeps serving the cached read after a write that rolled back', async () => {
    await read();
    const failed = await atomic(t, shop.accessToken, documentOperations('write-offs', 'writeOff', { attributes: { reason: 'lost' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '1000' }]));
    expect(failed.status).toBe(409);
    expect((await read()).headers['x-cache']).toBe('hit');
  });

  it('shows a renamed product in `include=product` at once', async () => {
    const url = `/api/v1/stock-levels?filter[store]=${store}&include=product`;
    expect((await read(url)).body.included[0].attributes.name).toBe('Cached rose');
    expect((await read(url)).headers['x-cache']).toBe('hit');
    await t.request('PATCH', `/api/v1/products/${rose.id}`, { token: shop.accessToken, body: { data: { type: 'products', id: rose.id, attributes: { name: 'Renamed rose' } } } });
    const renamed = await read(url);
    expect([renamed.headers['x-cache'], renamed.body.included[0].attributes.name]).toEqual(['miss', 'Renamed rose']);
  });

  it('caches the filters a point of sale uses, each under its own key', async () => {
    const empty = await stemProduct(t, shop.accessToken, 'Never received');
    await t.app.get(StockLedger).consume(await serviceContext(t, shop), store, [{ productId: empty.id, quantity: '1' }], { offline: true });
    const inStock = `/api/v1/stock-levels?filter[store]=${store}&filter[inStock]=true`;
    const byProduct = `/api/v1/stock-levels?filter[store]=${store}&filter[product]=${empty.id}`;
    expect((await read(inStock)).body.data.map((l: any) => l.attributes.quantity)).toEqual(['13']);
    expect((await read(byProduct)).body.data.map((l: any) => l.attributes.quantity)).toEqual(['-1']);
    expect([(await read(inStock)).headers['x-cache'], (await read(byProduct)).headers['x-cache']]).toEqual(['hit', 'hit']);
  });

  it('never serves one tenant’s cached stock to another, even for the same store id', async () => {
    await read();
    expect((await read()).headers['x-cache']).toBe('hit');
    const stranger = await newShop(t);
    const theirs = await read(undefined, stranger.accessToken);
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toEqual([]);
    expect(theirs.headers['x-cache']).toBe('miss');
  });

  it('loads once for concurrent misses of the same read (single flight)', async () => {
    await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '1', unitCost: 100 }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => read()));
    const outcomes = results.map((r) => r.headers['x-cache']);
    expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'miss' && o !== 'shared' && o !== 'hit')).toEqual([]);
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
  });

  it('keeps documents apart by role when they include other types, and never caches decrypted data', async () => {
    const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Secretive', contactPhone: '+7 916 000-00-00' });
    await t.request('PATCH', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken, body: { data: [{ type: 'suppliers', id: supplier.id }] } });
    const withPhones = `/api/v1/stock-levels?filter[store]=${store}&include=product.suppliers`;
    const first = await read(withPhones);
    expect(first.body.included.find((r: any) => r.type === 'suppliers').attributes.contactPhone).toBe('+7 916 000-00-00');
    expect([first.headers['x-cache'], (await read(withPhones)).headers['x-cache']]).toEqual(['miss', 'miss']);

    const url = `/api/v1/stock-levels?filter[store]=${other}&include=product`;
    expect((await read(url)).headers['x-cache']).toBe('miss');
    expect((await read(url)).headers['x-cache']).toBe('hit');
    const florist = await newEmployee(t, shop.accessToken, 'florist', [other]);
    const theirs = await read(url, florist.accessToken);
    expect(theirs.headers['x-cache']).toBe('miss');
    expect((await read(url, florist.accessToken)).headers['x-cache']).toBe('hit');
  });

  it('serves reads that name no single store straight from the database', async () => {
    const all = await read('/api/v1/stock-levels');
    expect(all.status).toBe(200);
    expect(all.headers['x-cache']).toBeUndefined();
    expect((await read(`/api/v1/stock-levels?filter[store]=${store},${other}`)).headers['x-cache']).toBeUndefined();
  });
});
