import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import { StockCheck } from '../../src/modules/inventory/stock-check.service';
import { PROFILE, type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { bouquet, create, one } from '../support/catalog-fixtures';
import { type Member, type Shop, newEmployee, newShop, shardOf } from '../support/fixtures';
import { type SaleSpec, saleOperations, sell } from '../support/sale-fixtures';
import { atomic, levelOf, newStore, receive, serviceContext, stemProduct } from '../support/stock-fixtures';

const DAY = 86_400_000;
const problem = (res: TestResponse) => ({ status: res.status, errors: res.body?.errors?.map((e: any) => [e.code, e.source?.pointer ?? e.source?.parameter]) });
const ids = (res: TestResponse) => (res.body.data as Array<{ id: string }>).map((r) => r.id).sort();

describe(`sales at the till: stock goes out, money comes in (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let owner: string;
  let arbat: string;
  let kiosk: string;
  let florist: Member;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    owner = (await serviceContext(t, shop)).userId;
    arbat = await newStore(t, shop.accessToken, 'Arbat');
    kiosk = await newStore(t, shop.accessToken, 'Kiosk');
    florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, token = shop.accessToken) => t.request('GET', url, { token });
  const consistent = async () => (await t.app.get(StockCheck).run(await serviceContext(t, shop))).discrepancies;
  const shard = async () => t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
  /** Rows of the shop in each table, straight from the shard: what a refused request must not have written. */
  const rows = async () => {
    const db = await shard();
    const counts: Record<string, number> = {};
    for (const table of ['sales', 'sale_lines', 'payments', 'stock_movements', 'stock_batches']) {
      const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`, [shop.tenantId]);
      counts[table] = Number(n);
    }
    return counts;
  };
  const saleMovements = async (productId: string) =>
    (await get(`/api/v1/stock-movements?filter[product]=${productId}&filter[kind]=sale&sort=createdAt&page[size]=100`)).body.data.map((m: any) => ({
      quantity: m.attributes.quantity,
      cost: m.attributes.cost,
      documentType: m.attributes.documentType,
      batch: m.relationships.batch.data?.id ?? null,
    }));
  /** The sale each movement of a product names, from the shard (the ledger's `document_id`). */
  const documentsOf = async (productId: string) =>
    ((await (await shard()).query('SELECT DISTINCT document_id AS id FROM stock_movements WHERE tenant_id = ? AND product_id = ? AND kind = ?', [shop.tenantId, productId, 'sale'])) as Array<{ id: string }>).map(
      (r) => r.id,
    );
  const stocked = async (name: string, quantity: string, unitCost = 100, price = 15000) => {
    const product = await stemProduct(t, shop.accessToken, name, { price });
    await receive(t, shop.accessToken, arbat, [{ product: product.id, quantity, unitCost }]);
    return product.id;
  };

  describe('selling', () => {
    it('takes stems from the batch that expires first, records sale movements for the sale and the cost of goods, and the cached level shows it at once', async () => {
      const rose = (await stemProduct(t, shop.accessToken, 'Sold rose')).id;
      await receive(t, shop.accessToken, arbat, [{ product: rose, quantity: '6', unitCost: 100 }], { receivedAt: new Date(Date.now() - 2 * DAY).toISOString() });
      const [, fresher] = await receive(t, shop.accessToken, arbat, [{ product: rose, quantity: '4', unitCost: 300 }]);
      expect(await levelOf(t, shop.accessToken, arbat, rose)).toBe('10');

      const res = await atomic(t, shop.accessToken, saleOperations({ store: arbat, lines: [{ product: rose, quantity: '8' }], payments: [['card', 120000]] }));
      expect(res.status).toBe(200);
      const [sale, line, payment] = res.body['atomic:results'].map((r: any) => r.data);
      expect(line.attributes).toEqual(expect.objectContaining({ quantity: '8', unitPrice: 15000, discount: 0, total: 120000, cost: 6 * 100 + 2 * 300 }));
      expect(payment.attributes).toEqual(expect.objectContaining({ method: 'card', amount: 120000 }));
      // The batch's answer shows the sale as it committed, its lines and payments counted.
      expect(sale.attributes).toEqual(expect.objectContaining({ subtotal: 120000, discount: 0, total: 120000, offline: false }));

      expect(await levelOf(t, shop.accessToken, arbat, rose)).toBe('2');
      const batches = await get(`/api/v1/stock-batches?filter[product]=${rose}&filter[store]=${arbat}&sort=receivedAt`);
      expect(batches.body.data.map((b: any) => [b.attributes.unitCost, b.attributes.quantityLeft])).toEqual([
        [100, '0'],
        [300, '2'],
      ]);
      expect(await saleMovements(rose)).toEqual([
        { quantity: '-6', cost: 600, documentType: 'sales', batch: expect.any(String) },
        { quantity: '-2', cost: 600, documentType: 'sales', batch: fresher.data.relationships.batch.data.id },
      ]);
      expect(await documentsOf(rose)).toEqual([sale.id]);

      const read = await get(`/api/v1/sales/${sale.id}?include=lines,payments`);
      expect(read.body.data.attributes).toEqual({
        number: expect.any(Number),
        soldAt: expect.any(String),
        receivedAt: read.body.data.attributes.createdAt,
        offline: false,
        subtotal: 120000,
        discount: 0,
        total: 120000,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(read.body.data.relationships.employee.data).toEqual({ type: 'employees', id: owner });
      expect(read.body.data.relationships.store.data).toEqual({ type: 'stores', id: arbat });
      expect(read.body.included.map((r: any) => r.id).sort()).toEqual([line.id, payment.id].sort());
      const next = await sell(t, shop.accessToken, { store: arbat, lines: [{ product: rose, quantity: '1', unitPrice: 15000 }] });
      expect((await get(`/api/v1/sales/${next.sale}`)).body.data.attributes.number).toBe(read.body.data.attributes.number + 1);
      expect(await consistent()).toEqual([]);
    });

    it('sells a composition by its components, and products that track no stock without touching stock', async () => {
      const { product: basket, parts } = await bouquet(t, shop.accessToken, 'Sold basket');
      for (const { part } of parts) await receive(t, shop.accessToken, arbat, [{ product: part.id, quantity: '10', unitCost: 50 }]);
      const wrapping = await create(t, shop.accessToken, 'products', { name: 'Wrapping', kind: 'service', unit: 'piece', price: 5000, trackStock: false });
      const before = (await rows()).stock_movements;

      const { sale, lines } = await sell(t, shop.accessToken, {
        store: arbat,
        lines: [
          { product: basket.id, quantity: '2', unitPrice: 450000 },
          { product: wrapping.id, quantity: '1', unitPrice: 5000 },
        ],
      });

      // The recipe takes 3 of the first flower and 4 of the second per basket.
      expect([await levelOf(t, shop.accessToken, arbat, parts[0].part.id), await levelOf(t, shop.accessToken, arbat, parts[1].part.id)]).toEqual(['4', '2']);
      expect(await saleMovements(parts[0].part.id)).toEqual([{ quantity: '-6', cost: 300, documentType: 'sales', batch: expect.any(String) }]);
      expect(await saleMovements(parts[1].part.id)).toEqual([{ quantity: '-8', cost: 400, documentType: 'sales', batch: expect.any(String) }]);
      expect((await rows()).stock_movements).toBe(before + 2);
      const read = await get(`/api/v1/sale-lines?filter[sale]=${sale}&sort=createdAt`);
      expect(read.body.data.map((l: any) => [l.id, l.attributes.total, l.attributes.cost])).toEqual([
        [lines[0], 900000, 700],
        [lines[1], 5000, 0],
      ]);
      expect((await get(`/api/v1/sales/${sale}`)).body.data.attributes).toMatchObject({ subtotal: 905000, total: 905000 });
      expect(await consistent()).toEqual([]);
    });

    it('refuses an online sale beyond stock with 409 at the line’s quantity, and writes nothing: no sale, line, payment or movement, no number used', async () => {
      const tulip = await stocked('Scarce tulip', '5');
      const rose = await stocked('Plenty rose', '20');
      const before = await rows();
      const res = await atomic(
        t,
        shop.accessToken,
        saleOperations({
          store: arbat,
          lines: [
            { product: rose, quantity: '3', unitPrice: 15000 },
            { product: tulip, quantity: '6', unitPrice: 15000 },
          ],
        }),
      );
      expect(problem(res)).toEqual({ status: 409, errors: [['insufficient-stock', '/atomic:operations/2/data/attributes/quantity']] });
      expect(res.body.errors[0].detail).toBe('Scarce tulip: 5 in stock, 6 needed.');
      expect(await rows()).toEqual(before);
      expect([await levelOf(t, shop.accessToken, arbat, rose), await levelOf(t, shop.accessToken, arbat, tulip)]).toEqual(['20', '5']);
      const last = (await get(`/api/v1/sales?sort=-number&page[size]=1`)).body.data[0].attributes.number;
      const { sale } = await sell(t, shop.accessToken, { store: arbat, lines: [{ product: tulip, quantity: '5', unitPrice: 15000 }] });
      expect((await get(`/api/v1/sales/${sale}`)).body.data.attributes.number).toBe(last + 1);
      expect(await levelOf(t, shop.accessToken, arbat, tulip)).toBe('0');
    });

    it('records an offline sale beyond stock: the level goes negative, what no batch covered is a movement without a batch', async () => {
      const peony = await stocked('Offline peony', '1', 200);
      const res = await atomic(t, shop.accessToken, saleOperations({ store: arbat, attributes: { offline: true }, lines: [{ product: peony, quantity: '3', unitPrice: 20000 }] }));
      expect(res.status).toBe(200);
      expect(res.body['atomic:results'][0].data.attributes.offline).toBe(true);
      expect(await levelOf(t, shop.accessToken, arbat, peony)).toBe('-2');
      expect(await saleMovements(peony)).toEqual([
        { quantity: '-1', cost: 200, documentType: 'sales', batch: expect.any(String) },
        // At the product's last known cost.
        { quantity: '-2', cost: 400, documentType: 'sales', batch: null },
      ]);
      expect(res.body['atomic:results'][1].data.attributes.cost).toBe(600);
      expect(await consistent()).toEqual([]);
    });
  });

  describe('money', () => {
    it('takes discounts off the line and the sale, and payments in several methods that add up to the total', async () => {
      const rose = await stocked('Discount rose', '10');
      const { sale } = await sell(t, shop.accessToken, {
        store: arbat,
        attributes: { discount: 5000 },
        lines: [
          { product: rose, quantity: '3', unitPrice: 15000, discount: 3000 },
          { product: rose, quantity: '1', unitPrice: 10000 },
        ],
        payments: [
          ['card', 40000],
          ['bonus', 2000],
          ['cash', 5000],
        ],
      });
      const read = await get(`/api/v1/sales/${sale}?include=lines,payments`);
      expect(read.body.data.attributes).toMatchObject({ subtotal: 52000, discount: 5000, total: 47000 });
      expect(read.body.included.filter((r: any) => r.type === 'sale-lines').map((l: any) => [l.attributes.discount, l.attributes.total])).toEqual([
        [3000, 42000],
        [0, 10000],
      ]);
      expect(read.body.included.filter((r: any) => r.type === 'payments').map((p: any) => p.attributes.method)).toEqual(['card', 'bonus', 'cash']);
    });

    it('needs no payment for a sale given away whole (total 0)', async () => {
      const rose = await stocked('Gift rose', '2');
      const { sale, payments } = await sell(t, shop.accessToken, { store: arbat, lines: [{ product: rose, quantity: '1', unitPrice: 15000, discount: 15000 }] });
      expect(payments).toEqual([]);
      expect((await get(`/api/v1/sales/${sale}`)).body.data.attributes).toMatchObject({ subtotal: 0, total: 0 });
      expect(await levelOf(t, shop.accessToken, arbat, rose)).toBe('1');
    });

    it('refuses payments that do not add up to the total, and a discount larger than what it is taken off, writing nothing', async () => {
      const rose = await stocked('Unpaid rose', '10');
      const line = { product: rose, quantity: '2', unitPrice: 15000 };
      const before = await rows();
      const cases: Array<[string, SaleSpec, unknown]> = [
        ['no payment', { store: arbat, lines: [line], payments: [] }, { status: 422, errors: [['payments-do-not-match', '/atomic:operations']] }],
        ['too little', { store: arbat, lines: [line], payments: [['cash', 29999]] }, { status: 422, errors: [['payments-do-not-match', '/atomic:operations']] }],
        ['too much', { store: arbat, lines: [line], payments: [['card', 20000], ['cash', 10001]] }, { status: 422, errors: [['payments-do-not-match', '/atomic:operations']] }],
        ['a sale discount beyond the subtotal', { store: arbat, attributes: { discount: 30001 }, lines: [line], payments: [] }, { status: 422, errors: [['discount-too-large', '/atomic:operations']] }],
        ['a line discount beyond its amount', { store: arbat, lines: [{ ...line, discount: 30001 }], payments: [] }, { status: 422, errors: [['discount-too-large', '/atomic:operations/1/data/attributes/discount']] }],
      ];
      for (const [label, spec, expected] of cases) expect({ label, ...problem(await atomic(t, shop.accessToken, saleOperations(spec))) }).toEqual({ label, ...(expected as object) });
      const id = uuid7();
      const mismatch = await atomic(t, shop.accessToken, saleOperations({ store: arbat, id, lines: [line], payments: [['cash', 29999]] }));
      expect(mismatch.body.errors[0].detail).toBe(`Sale ${id}: its payments add up to 29999, its total is 30000; a sale is paid in full.`);
      expect(await rows()).toEqual(before);
      expect(await levelOf(t, shop.accessToken, arbat, rose)).toBe('10');
    });

    it('checks each sale of a batch by itself: one sale paid for by another’s surplus is refused, and nothing of the batch is written', async () => {
      const rose = await stocked('Batch rose', '10');
      const line = { product: rose, quantity: '1', unitPrice: 15000 };
      const before = await rows();
      const res = await atomic(t, shop.accessToken, [
        ...saleOperations({ store: arbat, lid: 'a', lines: [line], payments: [['cash', 30000]] }),
        ...saleOperations({ store: arbat, lid: 'b', lines: [line], payments: [] }),
      ]);
      expect(problem(res)).toEqual({ status: 422, errors: [['payments-do-not-match', '/atomic:operations']] });
      expect(await rows()).toEqual(before);
    });
  });

  describe('what a sale refuses', () => {
    it('refuses bad input with a pointer and writes nothing', async () => {
      const rose = await stocked('Refused rose', '10');
      const archived = (await stemProduct(t, shop.accessToken, 'Archived sale rose')).id;
      expect((await t.request('PATCH', `/api/v1/products/${archived}`, { token: shop.accessToken, body: { data: { type: 'products', id: archived, attributes: { archived: true } } } })).status).toBe(200);
      const { sale: earlier } = await sell(t, shop.accessToken, { store: arbat, lines: [{ product: rose, quantity: '1', unitPrice: 15000 }] });
      const before = await rows();
      const line = (extra: Record<string, unknown>) => ({ product: rose, quantity: '1', unitPrice: 15000, ...extra });
      const spec = (over: Partial<SaleSpec>): SaleSpec => ({ store: arbat, lines: [line({})], ...over });
      const cases: Array<[string, unknown[], unknown]> = [
        ['a negative quantity', saleOperations(spec({ lines: [line({ quantity: '-1' })] })), { status: 422, errors: [['validation-failed', '/atomic:operations/1/data/attributes/quantity']] }],
        ['fractional stems', saleOperations(spec({ lines: [line({ quantity: '1.5' })], payments: [['cash', 22500]] })), { status: 422, errors: [['fractional-quantity', '/atomic:operations/1/data/attributes/quantity']] }],
        ['an archived product', saleOperations(spec({ lines: [line({ product: archived })] })), { status: 422, errors: [['product-archived', '/atomic:operations/1/data/relationships/product/data']] }],
        ['a sale in the future', saleOperations(spec({ attributes: { soldAt: new Date(Date.now() + DAY).toISOString() } })), { status: 422, errors: [['invalid-stock-document', '/atomic:operations/0/data/attributes/soldAt']] }],
        ['soldAt that is no time', saleOperations(spec({ attributes: { soldAt: 'yesterday' } })), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/soldAt']] }],
        ['offline that is no boolean', saleOperations(spec({ attributes: { offline: 'yes' } })), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/offline']] }],
        ['a negative discount', saleOperations(spec({ attributes: { discount: -1 } })), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/discount']] }],
        ['a total from the client', saleOperations(spec({ attributes: { total: 1 } })), { status: 403, errors: [['read-only-attribute', '/atomic:operations/0/data/attributes/total']] }],
        ['a line cost from the client', saleOperations(spec({})).map((op: any) => (op.data.type === 'sale-lines' ? { ...op, data: { ...op.data, attributes: { quantity: '1', cost: 1 } } } : op)), { status: 403, errors: [['read-only-attribute', '/atomic:operations/1/data/attributes/cost']] }],
        ['a payment of nothing', saleOperations(spec({ payments: [['cash', 15000]] })).map((op: any) => (op.data.type === 'payments' ? { ...op, data: { ...op.data, attributes: { method: 'cash', amount: 0 } } } : op)), { status: 422, errors: [['validation-failed', '/atomic:operations/2/data/attributes/amount']] }],
        ['an unknown payment method', saleOperations(spec({ payments: [['cheque', 15000]] })), { status: 422, errors: [['validation-failed', '/atomic:operations/2/data/attributes/method']] }],
        ['a line for a sale made earlier', saleOperations(spec({ id: earlier })).slice(1), { status: 409, errors: [['sale-closed', '/atomic:operations/0/data/relationships/sale/data']] }],
        ['a sale without lines', saleOperations(spec({ lines: [] })), { status: 422, errors: [['sale-without-lines', '']] }],
        ['someone else as the seller', saleOperations(spec({ employee: florist.id })), { status: 422, errors: [['invalid-employee', '/atomic:operations/0/data/relationships/employee/data']] }],
      ];
      for (const [label, operations, expected] of cases) expect({ label, ...problem(await atomic(t, shop.accessToken, operations)) }).toEqual({ label, ...(expected as object) });
      const alone = await t.request('POST', '/api/v1/sales', { token: shop.accessToken, body: { data: { type: 'sales', attributes: {}, relationships: { store: one('stores', arbat) } } } });
      expect(problem(alone)).toEqual({ status: 422, errors: [['sale-without-lines', '']] });
      expect(await rows()).toEqual(before);
    });

    it('is never changed or deleted: PATCH and DELETE are 403, and the sale stays as it was', async () => {
      const rose = await stocked('Kept rose', '2');
      const { sale, lines, payments } = await sell(t, shop.accessToken, { store: arbat, lines: [{ product: rose, quantity: '1', unitPrice: 15000 }] });
      const before = (await get(`/api/v1/sales/${sale}`)).body.data;
      const attempts = [
        t.request('PATCH', `/api/v1/sales/${sale}`, { token: shop.accessToken, body: { data: { type: 'sales', id: sale, attributes: { discount: 15000 } } } }),
        t.request('DELETE', `/api/v1/sales/${sale}`, { token: shop.accessToken }),
        t.request('PATCH', `/api/v1/sale-lines/${lines[0]}`, { token: shop.accessToken, body: { data: { type: 'sale-lines', id: lines[0], attributes: { unitPrice: 1 } } } }),
        t.request('DELETE', `/api/v1/payments/${payments[0]}`, { token: shop.accessToken }),
      ];
      for (const res of await Promise.all(attempts)) expect(problem(res)).toEqual({ status: 403, errors: [['action-not-supported', undefined]] });
      expect((await get(`/api/v1/sales/${sale}`)).body.data).toEqual(before);
    });
  });

  describe('offline sync and repeats', () => {
    it('records a batch sent twice with one Idempotency-Key once: the repeat replays the answer', async () => {
      const rose = await stocked('Repeated rose', '5');
      const before = await rows();
      const operations = saleOperations({ store: arbat, lines: [{ product: rose, quantity: '2', unitPrice: 15000 }] });
      const key = uuid7();
      const first = await atomic(t, shop.accessToken, operations, { 'idempotency-key': key });
      const again = await atomic(t, shop.accessToken, operations, { 'idempotency-key': key });
      expect([first.status, again.status, again.headers['idempotency-replayed']]).toEqual([200, 200, 'true']);
      expect(again.body).toEqual(first.body);
      expect(await rows()).toEqual({ ...before, sales: before.sales + 1, sale_lines: before.sale_lines + 1, payments: before.payments + 1, stock_movements: before.stock_movements + 1 });
      expect(await levelOf(t, shop.accessToken, arbat, rose)).toBe('3');
    });

    it('takes offline sales synced later, with the device’s own ids and sale times, beyond stock, once', async () => {
      const rose = await stocked('Synced rose', '2');
      const soldAt = [3, 2, 1].map((hours) => new Date(Date.now() - hours * 3600_000).toISOString());
      const saleIds = soldAt.map(() => uuid7());
      const operations = saleIds.flatMap((id, i) => saleOperations({ store: arbat, id, attributes: { offline: true, soldAt: soldAt[i] }, lines: [{ product: rose, quantity: '1', unitPrice: 15000 }] }));
      const key = uuid7();
      const synced = await atomic(t, shop.accessToken, operations, { 'idempotency-key': key });
      expect(synced.status).toBe(200);
      expect((await atomic(t, shop.accessToken, operations, { 'idempotency-key': key })).headers['idempotency-replayed']).toBe('true');

      const until = encodeURIComponent(new Date(Date.now() - 30 * 60_000).toISOString());
      const read = await get(`/api/v1/sales?filter[store]=${arbat}&filter[soldAt][gte]=${encodeURIComponent(soldAt[0])}&filter[soldAt][lt]=${until}&filter[offline]=true&sort=soldAt`);
      expect(read.body.data.map((s: any) => [s.id, s.attributes.soldAt, s.attributes.offline])).toEqual(saleIds.map((id, i) => [id, soldAt[i], true]));
      const numbers = read.body.data.map((s: any) => s.attributes.number);
      expect(numbers).toEqual([numbers[0], numbers[0] + 1, numbers[0] + 2]);
      for (const s of read.body.data) expect(Date.parse(s.attributes.receivedAt)).toBeGreaterThan(Date.parse(soldAt[2]));
      expect(await levelOf(t, shop.accessToken, arbat, rose)).toBe('-1');
      expect(await consistent()).toEqual([]);
    });
  });

  describe('who sells', () => {
    let till: string;
    beforeAll(async () => {
      till = (await create(t, shop.accessToken, 'device-tokens', { name: 'Arbat till' }, { store: one('stores', arbat) })).attributes.token;
    });

    it('takes a POS terminal’s sale for the employee it names, who must be an active seller of its store or an owner', async () => {
      const rose = await stocked('Till rose', '10');
      const courier = await newEmployee(t, shop.accessToken, 'courier', [arbat]);
      const leaver = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      expect((await t.request('PATCH', `/api/v1/employees/${leaver.id}`, { token: shop.accessToken, body: { data: { type: 'employees', id: leaver.id, attributes: { active: false } } } })).status).toBe(200);
      const elsewhere = await newEmployee(t, shop.accessToken, 'florist', [kiosk]);
      const line = { product: rose, quantity: '1', unitPrice: 15000 };

      const { sale } = await sell(t, till, { store: arbat, employee: florist.id, lines: [line] });
      expect((await get(`/api/v1/sales/${sale}`)).body.data.relationships.employee.data).toEqual({ type: 'employees', id: florist.id });
      const movements = await (await shard()).query('SELECT employee_id AS employee FROM stock_movements WHERE tenant_id = ? AND document_id = ?', [shop.tenantId, sale]);
      expect(movements).toEqual([{ employee: florist.id }]);
      // Owners work in every store: the till lists them and may name them.
      const byOwner = await sell(t, till, { store: arbat, employee: owner, lines: [line] });
      expect((await get(`/api/v1/sales/${byOwner.sale}`)).body.data.relationships.employee.data).toEqual({ type: 'employees', id: owner });

      const before = await rows();
      const cases: Array<[string, SaleSpec, unknown]> = [
        ['no employee', { store: arbat, lines: [line] }, { status: 422, errors: [['invalid-employee', '/atomic:operations/0/data/relationships']] }],
        ['a courier', { store: arbat, employee: courier.id, lines: [line] }, { status: 422, errors: [['invalid-employee', '/atomic:operations/0/data/relationships/employee/data']] }],
        ['a deactivated florist', { store: arbat, employee: leaver.id, lines: [line] }, { status: 422, errors: [['invalid-employee', '/atomic:operations/0/data/relationships/employee/data']] }],
        ['a florist of another store', { store: arbat, employee: elsewhere.id, lines: [line] }, { status: 404, errors: [['related-not-found', '/atomic:operations/0/data/relationships/employee/data']] }],
        ['another store', { store: kiosk, employee: florist.id, lines: [line] }, { status: 404, errors: [['related-not-found', '/atomic:operations/0/data/relationships/store/data']] }],
      ];
      for (const [label, spec, expected] of cases) expect({ label, ...problem(await atomic(t, till, saleOperations(spec))) }).toEqual({ label, ...(expected as object) });
      expect(await rows()).toEqual(before);
    });

    it('lets a florist sell in their stores only, hides the cost of goods from them, and keeps couriers away from sales', async () => {
      const rose = await stocked('Florist rose', '10', 100);
      const { sale, lines } = await sell(t, florist.accessToken, { store: arbat, lines: [{ product: rose, quantity: '2', unitPrice: 15000 }] });
      expect((await get(`/api/v1/sales/${sale}`)).body.data.relationships.employee.data).toEqual({ type: 'employees', id: florist.id });
      const asFlorist = await get(`/api/v1/sale-lines/${lines[0]}`, florist.accessToken);
      expect(asFlorist.body.data.attributes).not.toHaveProperty('cost');
      expect(asFlorist.body.data.attributes).toMatchObject({ quantity: '2', total: 30000 });
      expect((await get(`/api/v1/sale-lines/${lines[0]}`)).body.data.attributes.cost).toBe(200);

      const kioskRose = (await stemProduct(t, shop.accessToken, 'Kiosk rose')).id;
      await receive(t, shop.accessToken, kiosk, [{ product: kioskRose, quantity: '5', unitCost: 100 }]);
      const { sale: kioskSale } = await sell(t, shop.accessToken, { store: kiosk, lines: [{ product: kioskRose, quantity: '1', unitPrice: 15000 }] });
      const before = await rows();
      expect(problem(await atomic(t, florist.accessToken, saleOperations({ store: kiosk, lines: [{ product: kioskRose, quantity: '1', unitPrice: 15000 }] })))).toEqual({
        status: 404,
        errors: [['related-not-found', '/atomic:operations/0/data/relationships/store/data']],
      });
      expect((await get(`/api/v1/sales/${kioskSale}`, florist.accessToken)).status).toBe(404);
      const seen = await get(`/api/v1/sales?page[size]=200`, florist.accessToken);
      expect(seen.body.data.every((s: any) => s.relationships.store.data.id === arbat)).toBe(true);
      expect(ids(seen)).toContain(sale);

      const courier = await newEmployee(t, shop.accessToken, 'courier', [arbat]);
      expect(problem(await atomic(t, courier.accessToken, saleOperations({ store: arbat, lines: [{ product: rose, quantity: '1', unitPrice: 15000 }] })))).toEqual({
        status: 403,
        errors: [['forbidden', '/atomic:operations/0']],
      });
      for (const url of ['/api/v1/sales', `/api/v1/sales/${sale}`, '/api/v1/sale-lines', '/api/v1/payments']) expect({ url, status: (await get(url, courier.accessToken)).status }).toEqual({ url, status: 403 });
      expect(await rows()).toEqual(before);
    });

    it('finds sales by store, employee and time sold', async () => {
      const rose = await stocked('Found rose', '10');
      const { sale } = await sell(t, florist.accessToken, { store: arbat, lines: [{ product: rose, quantity: '1', unitPrice: 15000 }] });
      const from = encodeURIComponent(new Date(Date.now() - 60_000).toISOString());
      const found = await get(`/api/v1/sales?filter[store]=${arbat}&filter[employee]=${florist.id}&filter[soldAt][gte]=${from}`);
      expect(ids(found)).toContain(sale);
      expect(found.body.data.every((s: any) => s.relationships.employee.data.id === florist.id)).toBe(true);
      expect(ids(await get(`/api/v1/sales?filter[soldAt][lt]=${from}&filter[employee]=${florist.id}`))).not.toContain(sale);
      const feed = await get(`/api/v1/sales?filter[updatedSince]=${from}&page[size]=200`);
      expect(feed.body.data.map((s: any) => s.id)).toContain(sale);
      expect(feed.body.data[0].meta.page.cursor).toEqual(expect.any(String));
    });
  });

  describe('what a sale keeps', () => {
    it('keeps its store from being deleted, and its products from being deleted, even without stock history', async () => {
      const corner = await newStore(t, shop.accessToken, 'Corner');
      const arranging = await create(t, shop.accessToken, 'products', { name: 'Arranging', kind: 'service', unit: 'piece', price: 30000, trackStock: false });
      await sell(t, shop.accessToken, { store: corner, lines: [{ product: arranging.id, quantity: '1', unitPrice: 30000 }] });
      const store = await t.request('DELETE', `/api/v1/stores/${corner}`, { token: shop.accessToken });
      expect(problem(store)).toEqual({ status: 409, errors: [['store-in-use', undefined]] });
      expect(store.body.errors[0].detail).toContain('sales');
      const product = await t.request('DELETE', `/api/v1/products/${arranging.id}`, { token: shop.accessToken });
      expect(problem(product)).toEqual({ status: 409, errors: [['product-in-use', undefined]] });
      expect((await get(`/api/v1/stores/${corner}`)).status).toBe(200);
      expect((await get(`/api/v1/products/${arranging.id}`)).status).toBe(200);
    });
  });
});
