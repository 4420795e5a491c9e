import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { StockGuards1764800000000 } from '../../src/infra/database/migrations/shard/1764800000000-stock-guards';
import { uuid7 } from '../../src/infra/database/uuid7';
import { RecipeItem } from '../../src/modules/inventory/entities';
import { StockCheck } from '../../src/modules/inventory/stock-check.service';
import { StockLedger } from '../../src/modules/inventory/stock-ledger.service';
import { PROFILE, type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { composition, create, one } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { atomic, documentOperations, levelOf, newStore, receive, serviceContext, stemProduct } from '../support/stock-fixtures';

const DAY = 86_400_000;

describe(`inventory stock: receipts, batches, the ledger (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let store: string;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    store = await newStore(t, shop.accessToken, 'Arbat');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, token = shop.accessToken) => t.request('GET', url, { token });
  const consistent = async () => (await t.app.get(StockCheck).run(await serviceContext(t, shop))).discrepancies;

  describe('goods receipts', () => {
    it('turns each line into a batch with its expiry and a receipt movement, and raises the level', async () => {
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Flora Holland' });
      const rose = await stemProduct(t, shop.accessToken, 'Receipt rose');
      const salal = await create(t, shop.accessToken, 'products', { name: 'Receipt salal', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 40000, shelfLifeDays: 10 });
      const receivedAt = new Date(Date.now() - DAY).toISOString();
      const ops = documentOperations(
        'goods-receipts',
        'goodsReceipt',
        { attributes: { receivedAt, invoiceNumber: 'INV-1' }, relationships: { store: one('stores', store), supplier: one('suppliers', supplier.id) } },
        [
          { product: rose.id, quantity: '100', unitCost: 4500 },
          { product: salal.id, quantity: '2.5', unitCost: 30000 },
        ],
      );
      const res = await atomic(t, shop.accessToken, ops);
      expect(res.status).toBe(200);
      const [header, roseLine, salalLine] = res.body['atomic:results'];
      expect(roseLine.data.attributes).toMatchObject({ quantity: '100', unitCost: 4500, cost: 450000 });
      expect(salalLine.data.attributes).toMatchObject({ quantity: '2.5', cost: 75000 });

      const receipt = await get(`/api/v1/goods-receipts/${header.data.id}?include=lines`);
      expect(receipt.body.data.attributes).toMatchObject({ invoiceNumber: 'INV-1', totalCost: 525000, receivedAt });
      expect(receipt.body.data.relationships.lines.data.map((l: any) => l.id)).toEqual([roseLine.data.id, salalLine.data.id]);

      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('100');
      expect(await levelOf(t, shop.accessToken, store, salal.id)).toBe('2.5');

      const batch = await get(`/api/v1/stock-batches/${roseLine.data.relationships.batch.data.id}`);
      expect(batch.body.data.attributes).toMatchObject({ quantityReceived: '100', quantityLeft: '100', unitCost: 4500, source: 'receipt', receivedAt, daysLeft: 6 });
      expect(batch.body.data.attributes.expiresAt).toBe(new Date(Date.parse(receivedAt) + 7 * DAY).toISOString());
      expect(batch.body.data.relationships.supplier.data).toEqual({ type: 'suppliers', id: supplier.id });

      const movements = await get(`/api/v1/stock-movements?filter[product]=${rose.id}`);
      expect(movements.body.data).toHaveLength(1);
      expect(movements.body.data[0].attributes).toMatchObject({ kind: 'receipt', quantity: '100', cost: 450000, documentType: 'goods-receipts' });
      expect(movements.body.data[0].relationships.goodsReceipt.data).toEqual({ type: 'goods-receipts', id: header.data.id });
      expect(await consistent()).toEqual([]);
    });
  });

  describe('consumption (StockLedger, as sales will call it)', () => {
    it('takes the batch that expires first, records which, and prices the cost of goods from them', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'FEFO rose', { shelfLifeDays: 10 });
      // Received later but expiring sooner: a shorter-lived lot.
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '5', unitCost: 100 }], { receivedAt: new Date(Date.now() - 5 * DAY).toISOString() });
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 200 }], { receivedAt: new Date(Date.now() - 8 * DAY).toISOString() });
      const ctx = await serviceContext(t, shop);
      const result = await t.app.get(StockLedger).consume(ctx, store, [{ productId: rose.id, quantity: '12' }], { offline: false });
      // 10 from the older lot (expires in 2 days) at 200, then 2 of the other at 100.
      expect(result.cost).toBe(10 * 200 + 2 * 100);
      expect(result.lines[0].movements.map((m) => [m.quantity, m.cost])).toEqual([
        ['-10', 2000],
        ['-2', 200],
      ]);
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('3');
      const batches = await get(`/api/v1/stock-batches?filter[store]=${store}&filter[product]=${rose.id}`);
      expect(batches.body.data.map((b: any) => [b.attributes.quantityLeft, b.attributes.daysLeft])).toEqual([
        ['0', 2],
        ['3', 5],
      ]);
      expect(await consistent()).toEqual([]);
    });
  });

  describe('compositions and untracked products', () => {
    it('consumes a composition’s recipe components, nested, and leaves untracked products alone', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'Bouquet rose');
      const salal = await create(t, shop.accessToken, 'products', { name: 'Bouquet salal', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 40000, shelfLifeDays: 10 });
      const wrap = await create(t, shop.accessToken, 'products', { name: 'Untracked wrap', kind: 'accessory', unit: 'piece', price: 1000, trackStock: false });
      const bouquet = await create(t, shop.accessToken, 'products', composition('Nine roses'));
      const basket = await create(t, shop.accessToken, 'products', composition('Basket of two'));
      const recipe = (c: string, p: string, quantity: string) => create(t, shop.accessToken, 'recipe-items', { quantity }, { composition: one('products', c), component: one('products', p) });
      await recipe(bouquet.id, rose.id, '9');
      await recipe(bouquet.id, salal.id, '0.5');
      await recipe(bouquet.id, wrap.id, '1');
      await recipe(basket.id, bouquet.id, '2');
      await receive(t, shop.accessToken, store, [
        { product: rose.id, quantity: '50', unitCost: 100 },
        { product: salal.id, quantity: '3', unitCost: 2000 },
      ]);
      const result = await t.app.get(StockLedger).consume(await serviceContext(t, shop), store, [
        { productId: basket.id, quantity: '1' },
        { productId: wrap.id, quantity: '4' },
      ]);
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('32');
      expect(await levelOf(t, shop.accessToken, store, salal.id)).toBe('2');
      expect(await levelOf(t, shop.accessToken, store, wrap.id)).toBe('0');
      expect(result.lines.map((l) => l.cost)).toEqual([18 * 100 + 2000, 0]);
      expect(result.lines[1].movements).toEqual([]);
      expect(await consistent()).toEqual([]);
    });
  });

  describe('offline sales beyond stock', () => {
    it('takes the level below zero, and the next receipt settles that before filling its batch', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'Offline rose');
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '2', unitCost: 300 }]);
      const ctx = await serviceContext(t, shop);
      const ledger = t.app.get(StockLedger);
      await expect(ledger.consume(ctx, store, [{ productId: rose.id, quantity: '5' }])).rejects.toMatchObject({ code: 'insufficient-stock' });
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('2');

      const offline = await ledger.consume(ctx, store, [{ productId: rose.id, quantity: '5' }], { offline: true });
      expect(offline.lines[0].movements.map((m) => [m.quantity, m.batchId === null, m.cost])).toEqual([
        ['-2', false, 600],
        ['-3', true, 900],
      ]);
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('-3');
      expect(await consistent()).toEqual([]);

      const [, line] = await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 400 }]);
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('7');
      const batch = await get(`/api/v1/stock-batches/${line.data.relationships.batch.data.id}`);
      expect(batch.body.data.attributes).toMatchObject({ quantityReceived: '10', quantityLeft: '7' });
      expect(await consistent()).toEqual([]);
    });
  });

  describe('write-offs', () => {
    it('takes stock first-expiring-first with the reason, the employee and the cost', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'Wilted rose');
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 500 }]);
      const res = await atomic(
        t,
        shop.accessToken,
        documentOperations('write-offs', 'writeOff', { attributes: { reason: 'wilted', note: 'heat' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '4' }]),
      );
      expect(res.status).toBe(200);
      const [header, line] = res.body['atomic:results'];
      expect(line.data.attributes).toMatchObject({ quantity: '4', cost: 2000 });
      const document = (await get(`/api/v1/write-offs/${header.data.id}?include=employee`)).body;
      expect(document.data.attributes).toMatchObject({ reason: 'wilted', note: 'heat', totalCost: 2000 });
      expect(document.included).toEqual([expect.objectContaining({ type: 'employees', attributes: expect.objectContaining({ role: 'owner' }) })]);
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('6');
      const [movement] = (await get(`/api/v1/stock-movements?filter[product]=${rose.id}&filter[kind]=write-off`)).body.data;
      expect(movement.attributes).toMatchObject({ kind: 'write-off', quantity: '-4', cost: 2000, reason: 'wilted: heat', documentType: 'write-offs' });
      expect(movement.relationships.writeOff.data.id).toBe(header.data.id);
      expect(await consistent()).toEqual([]);
    });
  });

  describe('transfers', () => {
    it('leaves the sending store at once, is in neither store in transit, and arrives with its expiry and cost when accepted', async () => {
      const other = await newStore(t, shop.accessToken, 'Station kiosk');
      const rose = await stemProduct(t, shop.accessToken, 'Travelling rose');
      const [, line] = await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 700 }], { receivedAt: new Date(Date.now() - DAY).toISOString() });
      const source = (await get(`/api/v1/stock-batches/${line.data.relationships.batch.data.id}`)).body.data.attributes;
      const res = await atomic(
        t,
        shop.accessToken,
        documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', store), toStore: one('stores', other) } }, [{ product: rose.id, quantity: '4' }]),
      );
      expect(res.status).toBe(200);
      const transferId = res.body['atomic:results'][0].data.id;
      expect(res.body['atomic:results'][0].data.attributes.status).toBe('in-transit');
      expect([await levelOf(t, shop.accessToken, store, rose.id), await levelOf(t, shop.accessToken, other, rose.id)]).toEqual(['6', '0']);

      const accept = () => t.request('PATCH', `/api/v1/transfers/${transferId}`, { token: shop.accessToken, body: { data: { type: 'transfers', id: transferId, attributes: { status: 'received' } } } });
      const accepted = await accept();
      expect(accepted.status).toBe(200);
      expect(accepted.body.data.attributes).toMatchObject({ status: 'received', totalCost: 2800 });
      expect(await levelOf(t, shop.accessToken, other, rose.id)).toBe('4');
      const [arrived] = (await get(`/api/v1/stock-batches?filter[store]=${other}&filter[product]=${rose.id}`)).body.data;
      expect(arrived.attributes).toMatchObject({ source: 'transfer-in', quantityLeft: '4', unitCost: 700, expiresAt: source.expiresAt });

      const again = await accept();
      expect(again.status).toBe(409);
      expect(again.body.errors[0]).toMatchObject({ code: 'transfer-not-in-transit', source: { pointer: '/data/attributes/status' } });
      expect(await levelOf(t, shop.accessToken, other, rose.id)).toBe('4');
      expect(await consistent()).toEqual([]);
    });

    it('brings a transfer in once when five acceptances race', async () => {
      const other = await newStore(t, shop.accessToken, 'Race kiosk');
      const rose = await stemProduct(t, shop.accessToken, 'Raced rose');
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 100 }]);
      const made = await atomic(
        t,
        shop.accessToken,
        documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', store), toStore: one('stores', other) } }, [{ product: rose.id, quantity: '4' }]),
      );
      const id = made.body['atomic:results'][0].data.id;
      const accept = () => t.request('PATCH', `/api/v1/transfers/${id}`, { token: shop.accessToken, body: { data: { type: 'transfers', id, attributes: { status: 'received' } } } });
      const answers = await Promise.all(Array.from({ length: 5 }, accept));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
      expect(answers.filter((r) => r.status === 409).map((r) => r.body.errors[0].code)).toEqual(Array(4).fill('transfer-not-in-transit'));
      expect([await levelOf(t, shop.accessToken, store, rose.id), await levelOf(t, shop.accessToken, other, rose.id)]).toEqual(['6', '4']);
      const arrivals = (await get(`/api/v1/stock-movements?filter[store]=${other}&filter[product]=${rose.id}`)).body.data;
      expect(arrivals.map((m: any) => [m.attributes.kind, m.attributes.quantity])).toEqual([['transfer-in', '4']]);
      expect(await consistent()).toEqual([]);
    });

    it('moves stock in one step when made as received', async () => {
      const other = await newStore(t, shop.accessToken, 'Mall corner');
      const rose = await stemProduct(t, shop.accessToken, 'Quick rose');
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '3', unitCost: 100 }]);
      const res = await atomic(
        t,
        shop.accessToken,
        documentOperations('transfers', 'transfer', { attributes: { status: 'received' }, relationships: { fromStore: one('stores', store), toStore: one('stores', other) } }, [{ product: rose.id, quantity: '3' }]),
      );
      expect(res.status).toBe(200);
      expect([await levelOf(t, shop.accessToken, store, rose.id), await levelOf(t, shop.accessToken, other, rose.id)]).toEqual(['0', '3']);
      expect(await consistent()).toEqual([]);
    });
  });

  describe('stock counts', () => {
    it('adjusts each counted product to what was counted, down first-expiring-first and up as a new batch', async () => {
      const fewer = await stemProduct(t, shop.accessToken, 'Counted fewer');
      const more = await stemProduct(t, shop.accessToken, 'Counted more');
      const same = await stemProduct(t, shop.accessToken, 'Counted same');
      await receive(t, shop.accessToken, store, [
        { product: fewer.id, quantity: '10', unitCost: 100 },
        { product: more.id, quantity: '10', unitCost: 250 },
        { product: same.id, quantity: '5', unitCost: 100 },
      ]);
      const res = await atomic(
        t,
        shop.accessToken,
        documentOperations(
          'stock-counts',
          'stockCount',
          { relationships: { store: one('stores', store) } },
          [
            { product: fewer.id, quantity: '7' },
            { product: more.id, quantity: '12' },
            { product: same.id, quantity: '5' },
          ],
          ({ quantity }) => ({ countedQuantity: quantity }),
        ),
      );
      expect(res.status).toBe(200);
      expect(res.body['atomic:results'].slice(1).map((r: any) => [r.data.attributes.expectedQuantity, r.data.attributes.countedQuantity, r.data.attributes.difference, r.data.attributes.cost])).toEqual([
        ['10', '7', '-3', 300],
        ['10', '12', '2', 500],
        ['5', '5', '0', 0],
      ]);
      expect(await levelOf(t, shop.accessToken, store, fewer.id)).toBe('7');
      expect(await levelOf(t, shop.accessToken, store, more.id)).toBe('12');
      const found = (await get(`/api/v1/stock-batches?filter[store]=${store}&filter[product]=${more.id}&filter[source]=adjustment`)).body.data;
      expect(found.map((b: any) => [b.attributes.quantityLeft, b.attributes.unitCost])).toEqual([['2', 250]]);
      const adjustments = (await get(`/api/v1/stock-movements?filter[product]=${same.id}&filter[kind]=adjustment`)).body.data;
      expect(adjustments).toEqual([]);
      expect(await consistent()).toEqual([]);
    });
  });

  it('refuses stock for a store deleted after the request found it: 404, nothing written', async () => {
    const gone = await newStore(t, shop.accessToken, 'Gone by now');
    const rose = await stemProduct(t, shop.accessToken, 'Rose for a gone store');
    expect((await t.request('DELETE', `/api/v1/stores/${gone}`, { token: shop.accessToken })).status).toBe(204);

    const refused = t.app.get(StockLedger).restock(await serviceContext(t, shop), gone, [{ productId: rose.id, quantity: '2' }]);

    await expect(refused).rejects.toMatchObject({ code: 'not-found', detail: `No stores with id ${gone}.` });
    const movements = await t.request('GET', `/api/v1/stock-movements?filter[product]=${rose.id}`, { token: shop.accessToken });
    expect(movements.body.meta.total).toBe(0);
  });

  describe('returns (StockLedger.restock, as the returns of sales will call it)', () => {
    it('puts returned goods back as a batch at the last known cost, after settling stock sold beyond the books', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'Returned rose', { shelfLifeDays: 5 });
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '2', unitCost: 300 }]);
      const ctx = await serviceContext(t, shop);
      const ledger = t.app.get(StockLedger);
      await ledger.consume(ctx, store, [{ productId: rose.id, quantity: '5' }], { offline: true });
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('-3');
      const occurredAt = new Date(Date.now() - DAY);
      const returnId = uuid7();
      const [effect] = await ledger.restock(ctx, store, [{ productId: rose.id, quantity: '4' }], { occurredAt, reason: 'changed their mind', document: { type: 'returns', id: returnId } });
      expect(effect.movements.map((m) => [m.kind, m.quantity, m.batchId === null, m.cost, m.reason, m.documentId])).toEqual([
        ['return', '3', true, 900, 'changed their mind', returnId],
        ['return', '1', false, 300, 'changed their mind', returnId],
      ]);
      expect(effect.cost).toBe(1200);
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('1');
      const [batch] = (await get(`/api/v1/stock-batches?filter[store]=${store}&filter[product]=${rose.id}&filter[source]=return`)).body.data;
      expect(batch.attributes).toMatchObject({ quantityReceived: '4', quantityLeft: '1', unitCost: 300, receivedAt: occurredAt.toISOString(), expiresAt: new Date(occurredAt.getTime() + 5 * DAY).toISOString() });
      expect(await consistent()).toEqual([]);
    });

    it('takes a composition back as its components, and refuses half a stem writing nothing', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'Returned bouquet rose');
      const salal = await create(t, shop.accessToken, 'products', { name: 'Returned salal', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 100, shelfLifeDays: 10 });
      const bouquet = await create(t, shop.accessToken, 'products', composition('Returned bouquet'));
      const recipe = (p: string, quantity: string) => create(t, shop.accessToken, 'recipe-items', { quantity }, { composition: one('products', bouquet.id), component: one('products', p) });
      await recipe(rose.id, '3');
      await recipe(salal.id, '0.5');
      await receive(t, shop.accessToken, store, [
        { product: rose.id, quantity: '10', unitCost: 100 },
        { product: salal.id, quantity: '1', unitCost: 2000 },
      ]);
      const ctx = await serviceContext(t, shop);
      const ledger = t.app.get(StockLedger);
      const effects = await ledger.restock(ctx, store, [{ productId: bouquet.id, quantity: '2' }]);
      expect(effects.map((e) => [e.movements[0].productId, e.movements[0].quantity, e.cost])).toEqual([
        [rose.id, '6', 600],
        [salal.id, '1', 2000],
      ]);
      expect([await levelOf(t, shop.accessToken, store, rose.id), await levelOf(t, shop.accessToken, store, salal.id)]).toEqual(['16', '2']);
      await expect(ledger.restock(ctx, store, [{ productId: rose.id, quantity: '1.5', pointer: '/data/attributes/quantity' }])).rejects.toMatchObject({
        code: 'fractional-quantity',
        source: { pointer: '/data/attributes/quantity' },
      });
      await expect(ledger.restock(ctx, store, [{ productId: rose.id, quantity: '-1' }])).rejects.toMatchObject({ code: 'invalid-stock-document' });
      expect(await levelOf(t, shop.accessToken, store, rose.id)).toBe('16');
      expect(await consistent()).toEqual([]);
    });
  });

  describe('the changes feed of stock levels', () => {
    /** Reads until `ready` holds: a feed may hold back the latest changes for a moment. */
    async function eventually(read: () => Promise<TestResponse>, ready: (res: TestResponse) => boolean) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const res = await read();
        if (ready(res) || Date.now() > deadline) return res;
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    it('shows a level a movement changed after the cursor a device holds, under the cursor profile', async () => {
      const feedStore = await newStore(t, shop.accessToken, 'Feed store');
      const rose = await stemProduct(t, shop.accessToken, 'Feed rose');
      const tulip = await stemProduct(t, shop.accessToken, 'Feed tulip');
      const since = new Date(Date.now() - 60_000).toISOString();
      await receive(t, shop.accessToken, feedStore, [
        { product: rose.id, quantity: '5', unitCost: 100 },
        { product: tulip.id, quantity: '5', unitCost: 100 },
      ]);
      const feed = (page = '') => get(`/api/v1/stock-levels?filter[store]=${feedStore}&filter[updatedSince]=${since}${page}`);
      const first = await eventually(feed, (res) => res.body.data.length === 2);
      expect(first.body.data.map((l: any) => l.relationships.product.data.id).sort()).toEqual([rose.id, tulip.id].sort());
      expect(first.headers['content-type']).toBe('application/vnd.api+json; profile="https://jsonapi.org/profiles/ethanresnick/cursor-pagination"');
      // Feed pages are read straight from the database, never kept in the read cache.
      expect(first.headers['x-cache']).toBeUndefined();
      const after = `&page[after]=${first.body.data[1].meta.page.cursor}`;
      expect((await feed(after)).body.data).toEqual([]);

      await t.app.get(StockLedger).consume(await serviceContext(t, shop), feedStore, [{ productId: rose.id, quantity: '2' }]);
      const next = await eventually(() => feed(after), (res) => res.body.data.length > 0);
      expect(next.body.data.map((l: any) => [l.relationships.product.data.id, l.attributes.quantity])).toEqual([[rose.id, '3']]);
      expect(next.body.links.next).toBeNull();
    });
  });

  describe('the append-only ledger', () => {
    it('refuses an UPDATE of a movement in the database itself, and its guard’s migration can run again', async () => {
      const rose = await stemProduct(t, shop.accessToken, 'Ledger rose');
      await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '5', unitCost: 100 }]);
      const shard = await t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
      const tamper = () => shard.query('UPDATE stock_movements SET quantity = 50 WHERE tenant_id = ? AND product_id = ?', [shop.tenantId, rose.id]);
      await expect(tamper()).rejects.toThrow(/stock_movements is append-only/);
      const runner = shard.createQueryRunner();
      try {
        await new StockGuards1764800000000().up(runner);
      } finally {
        await runner.release();
      }
      await expect(tamper()).rejects.toThrow(/stock_movements is append-only/);
      const movements = (await get(`/api/v1/stock-movements?filter[product]=${rose.id}`)).body.data;
      expect(movements.map((m: any) => m.attributes.quantity)).toEqual(['5']);
      expect(await consistent()).toEqual([]);
    });
  });

  describe('recipes stored deeper than allowed', () => {
    it('answers 422 with a pointer, not 500, when a sold composition’s stored recipe contains itself', async () => {
      const a = await create(t, shop.accessToken, 'products', composition('Planted A'));
      const b = await create(t, shop.accessToken, 'products', composition('Planted B'));
      // Planted behind the API, as recipes stored before it refused cycles could be.
      const em = await t.app.get(ShardRegistry).manager({ shardId: await shardOf(t, shop.tenantId) });
      const now = new Date();
      const item = (compositionId: string, componentId: string) => ({ tenantId: shop.tenantId, id: uuid7(), compositionId, componentId, quantity: '1', createdAt: now, updatedAt: now });
      await em.insert(RecipeItem, [item(a.id, b.id), item(b.id, a.id)]);
      const res = await atomic(t, shop.accessToken, documentOperations('write-offs', 'writeOff', { attributes: { reason: 'damaged' }, relationships: { store: one('stores', store) } }, [{ product: a.id, quantity: '1' }]));
      expect(res.status).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ code: 'recipe-too-deep', source: { pointer: '/atomic:operations/1/data/attributes/quantity' } });
      expect(res.body.errors[0].detail).toContain('more than 20 levels deep');
      await expect(t.app.get(StockLedger).consume(await serviceContext(t, shop), store, [{ productId: b.id, quantity: '1' }])).rejects.toMatchObject({ code: 'recipe-too-deep' });
    });
  });

  describe('freshness', () => {
    it('lists what to sell first: batches with stock expiring within N days, soonest first', async () => {
      const other = await newStore(t, shop.accessToken, 'Freshness store');
      const short = await stemProduct(t, shop.accessToken, 'Short-lived', { shelfLifeDays: 3 });
      const long = await stemProduct(t, shop.accessToken, 'Long-lived', { shelfLifeDays: 30 });
      const gone = await stemProduct(t, shop.accessToken, 'Sold out', { shelfLifeDays: 2 });
      await receive(t, shop.accessToken, other, [
        { product: long.id, quantity: '5', unitCost: 1 },
        { product: short.id, quantity: '5', unitCost: 1 },
        { product: gone.id, quantity: '1', unitCost: 1 },
      ], { receivedAt: new Date(Date.now() - 1.5 * DAY).toISOString() });
      await t.app.get(StockLedger).consume(await serviceContext(t, shop), other, [{ productId: gone.id, quantity: '1' }]);
      const res = await get(`/api/v1/stock-batches?filter[store]=${other}&filter[daysLeft][lte]=2&filter[quantityLeft][gt]=0&include=product`);
      expect(res.status).toBe(200);
      expect(res.body.data.map((b: any) => [b.relationships.product.data.id, b.attributes.daysLeft])).toEqual([[short.id, 2]]);
      expect(res.body.included.map((p: any) => p.attributes.name)).toEqual(['Short-lived']);
      const all = await get(`/api/v1/stock-batches?filter[store]=${other}&sort=expiresAt`);
      expect(all.body.data.map((b: any) => b.attributes.daysLeft)).toEqual([1, 2, 29]);
    });
  });
});
