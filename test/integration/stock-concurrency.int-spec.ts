import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { StockCheck } from '../../src/modules/inventory/stock-check.service';
import { StockLedger } from '../../src/modules/inventory/stock-ledger.service';
import { type TestApp, bootApp } from '../support/app-harness';
import { composition, create, one } from '../support/catalog-fixtures';
import { type Shop, newShop } from '../support/fixtures';
import { saleOperations } from '../support/sale-fixtures';
import { atomic, documentOperations, levelOf, newStore, receive, serviceContext, stemProduct } from '../support/stock-fixtures';

// Real concurrency: MariaDB with a pool of connections, so these transactions
// overlap (the embedded profile runs one transaction at a time).
describe('stock under concurrent consumption (MariaDB)', () => {
  let t: TestApp;
  let shop: Shop;
  let store: string;

  beforeAll(async () => {
    t = await bootApp({ DATABASE_POOL_SIZE: '20' });
    shop = await newShop(t);
    store = await newStore(t, shop.accessToken, 'Rush hour');
  });
  afterAll(async () => {
    await t.close();
  });

  const DAY = 86_400_000;
  /** The last 10 stems of a product, in two batches. */
  async function lastTenStems(name: string) {
    const rose = await stemProduct(t, shop.accessToken, name);
    await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '6', unitCost: 100 }], { receivedAt: new Date(Date.now() - 2 * DAY).toISOString() });
    await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '4', unitCost: 300 }]);
    return rose;
  }
  const tally = (values: Array<string | number>) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
  const check = async () => (await t.app.get(StockCheck).run(await serviceContext(t, shop))).discrepancies;
  const movements = async (productId: string) => (await t.request('GET', `/api/v1/stock-movements?filter[product]=${productId}&page[size]=500`, { token: shop.accessToken })).body.data;

  it('50 online sales of the last 10 stems: 10 succeed, 40 get insufficient-stock, the ledger adds up', async () => {
    const rose = await lastTenStems('Contested rose');
    const ctx = await serviceContext(t, shop);
    const ledger = t.app.get(StockLedger);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => ledger.consume(ctx, store, [{ productId: rose.id, quantity: '1' }])));
    expect(tally(outcomes.map((o) => (o.status === 'fulfilled' ? 'sold' : o.reason.code)))).toEqual({ sold: 10, 'insufficient-stock': 40 });
    expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('0');
    const sales = (await movements(rose.id)).filter((m: any) => m.attributes.kind === 'sale');
    expect(sales).toHaveLength(10);
    // First expiring first: the six older stems at 100, then the four at 300.
    expect(sales.reduce((sum: number, m: any) => sum + m.attributes.cost, 0)).toBe(6 * 100 + 4 * 300);
    expect(await check()).toEqual([]);
  });

  it('50 offline sales of the last 10 stems: all recorded, the level goes to -40, the ledger adds up', async () => {
    const rose = await lastTenStems('Offline rush rose');
    const ctx = await serviceContext(t, shop);
    const ledger = t.app.get(StockLedger);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => ledger.consume(ctx, store, [{ productId: rose.id, quantity: '1' }], { offline: true })));
    expect(tally(outcomes.map((o) => (o.status === 'fulfilled' ? 'sold' : o.reason.code)))).toEqual({ sold: 50 });
    expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('-40');
    const sales = (await movements(rose.id)).filter((m: any) => m.attributes.kind === 'sale');
    expect(sales.filter((m: any) => m.relationships.batch.data === null)).toHaveLength(40);
    expect(await check()).toEqual([]);
  });

  it('a store deleted while a stock write in it runs waits for the write, then is refused as in use', async () => {
    const closing = await newStore(t, shop.accessToken, 'Closing soon');
    const rose = await stemProduct(t, shop.accessToken, 'Last-minute rose');
    const ctx = await serviceContext(t, shop);
    const ledger = t.app.get(StockLedger);
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    let began!: () => void;
    const begun = new Promise<void>((done) => (began = done));
    // The write has found the store and has not written a row yet when the delete arrives.
    const writing = t.app.get(ShardRegistry).transaction(ctx, async (tx) => {
      await ledger.session(tx, closing, [], [], async () => {
        began();
        await held;
      });
      await ledger.restock(tx, closing, [{ productId: rose.id, quantity: '3' }]);
    });
    await begun;
    let answered = false;
    const deleting = t.request('DELETE', `/api/v1/stores/${closing}`, { token: shop.accessToken }).finally(() => (answered = true));
    await new Promise((done) => setTimeout(done, 500));
    expect(answered).toBe(false);

    release();
    await writing;
    const deleted = await deleting;

    expect([deleted.status, deleted.body.errors?.[0]?.code]).toEqual([409, 'store-in-use']);
    expect(await levelOf(t, shop.accessToken, closing, rose.id)).toBe('3');
    expect(await check()).toEqual([]);
  });

  describe('recipe items sent at once', () => {
    const post = (compositionId: string, componentId: string) =>
      t.request('POST', '/api/v1/recipe-items', {
        token: shop.accessToken,
        body: { data: { type: 'recipe-items', attributes: { quantity: '1' }, relationships: { composition: one('products', compositionId), component: one('products', componentId) } } },
      });
    const compositions = (n: number, name: string) => Promise.all(Array.from({ length: n }, (_, i) => create(t, shop.accessToken, 'products', composition(`${name} ${i}`))));
    const outcome = (res: { status: number; body: any }) => (res.status === 201 ? 201 : `${res.status} ${res.body.errors[0].code}`);

    it('never close a cycle: of A in B and B in A sent together, one is refused (five pairs)', async () => {
      const pairs = await Promise.all(Array.from({ length: 5 }, (_, i) => compositions(2, `Pair ${i}`)));
      const answers = await Promise.all(pairs.map(([a, b]) => Promise.all([post(a.id, b.id), post(b.id, a.id)])));
      expect(answers.map((pair) => pair.map(outcome).sort())).toEqual(Array(5).fill([201, '422 recipe-cycle']));
    });

    it('never close a longer cycle either: of A in B, B in C, C in D and D in A sent together, one is refused', async () => {
      const [a, b, c, d] = await compositions(4, 'Ring');
      const answers = await Promise.all([post(a.id, b.id), post(b.id, c.id), post(c.id, d.id), post(d.id, a.id)]);
      expect(answers.map(outcome).sort()).toEqual([201, 201, 201, '422 recipe-cycle']);
    });
  });

  it('50 concurrent write-off requests through the API for the last 10 stems: 10 answer 200, 40 answer 409', async () => {
    const rose = await lastTenStems('Wilting rose');
    const request = () =>
      atomic(t, shop.accessToken, documentOperations('write-offs', 'writeOff', { attributes: { reason: 'wilted' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '1' }]));
    const statuses = (await Promise.all(Array.from({ length: 50 }, request))).map((r) => r.status);
    expect(tally(statuses)).toEqual({ 200: 10, 409: 40 });
    expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('0');
    expect(await check()).toEqual([]);
  });

  describe('sales through the API', () => {
    /** 50 sales of one stem each, sent at once; the answers' statuses and codes. */
    async function rush(roseId: string, attributes: Record<string, unknown> = {}) {
      const sale = () => atomic(t, shop.accessToken, saleOperations({ store, attributes, lines: [{ product: roseId, quantity: '1', unitPrice: 15000 }] }));
      const answers = await Promise.all(Array.from({ length: 50 }, sale));
      return tally(answers.map((res) => (res.status === 200 ? 200 : `${res.status} ${res.body.errors?.[0]?.code}`)));
    }
    const linesOf = async (productId: string) => (await t.request('GET', `/api/v1/sale-lines?filter[product]=${productId}&page[size]=500`, { token: shop.accessToken })).body.data;
    const numbersOf = async (saleIds: string[]) =>
      (await t.request('GET', `/api/v1/sales?sort=number&page[size]=200&filter[store]=${store}`, { token: shop.accessToken })).body.data
        .filter((s: any) => saleIds.includes(s.id))
        .map((s: any) => s.attributes.number);

    it('50 online sales of the last 10 stems: 10 recorded, 40 answered 409 insufficient-stock, the level 0, the ledger adds up', async () => {
      const rose = await lastTenStems('Till rush rose');
      expect(await rush(rose.id)).toEqual({ 200: 10, '409 insufficient-stock': 40 });
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('0');
      const lines = await linesOf(rose.id);
      expect(lines).toHaveLength(10);
      // First expiring first across the ten sales: the six older stems at 100, then the four at 300.
      expect(lines.reduce((sum: number, l: any) => sum + l.attributes.cost, 0)).toBe(6 * 100 + 4 * 300);
      expect((await movements(rose.id)).filter((m: any) => m.attributes.kind === 'sale' && m.attributes.documentType === 'sales')).toHaveLength(10);
      // The refused sales gave their numbers back: the recorded ones follow each other.
      const numbers = await numbersOf(lines.map((l: any) => l.relationships.sale.data.id));
      expect(numbers).toEqual(Array.from({ length: 10 }, (_, i) => numbers[0] + i));
      expect(await check()).toEqual([]);
    });

    it('50 offline sales of the last 10 stems: all recorded, the level -40, the ledger adds up', async () => {
      const rose = await lastTenStems('Offline till rose');
      expect(await rush(rose.id, { offline: true })).toEqual({ 200: 50 });
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('-40');
      expect(await linesOf(rose.id)).toHaveLength(50);
      const sold = (await movements(rose.id)).filter((m: any) => m.attributes.kind === 'sale');
      expect(sold.filter((m: any) => m.relationships.batch.data === null).reduce((sum: number, m: any) => sum + Number(m.attributes.quantity), 0)).toBe(-40);
      expect(await check()).toEqual([]);
    });
  });
});
