import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { OrderService } from '../../src/modules/sales/order.service';
import { PROFILE, type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { create, flower, one } from '../support/catalog-fixtures';
import { type Member, type Shop, newEmployee, newShop, shardOf } from '../support/fixtures';
import { csvRecords, exportCsv } from '../support/csv';
import { orderAttributes, orderOperations, placeOrder } from '../support/order-fixtures';
import { atomic, newStore, serviceContext } from '../support/stock-fixtures';

const problem = (res: TestResponse) => ({ status: res.status, errors: res.body?.errors?.map((e: any) => [e.code, e.source?.pointer ?? e.source?.parameter]) });
const ids = (res: TestResponse) => (res.body.data as Array<{ id: string }>).map((r) => r.id).sort();

describe(`orders: pre-orders with delivery, and who sees which (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let arbat: string;
  let kiosk: string;
  let rose: string;
  let tulip: string;
  let bunch: string;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    arbat = await newStore(t, shop.accessToken, 'Arbat');
    kiosk = await newStore(t, shop.accessToken, 'Kiosk');
    rose = (await create(t, shop.accessToken, 'products', flower('Order rose', 15000))).id;
    tulip = (await create(t, shop.accessToken, 'products', flower('Order tulip', 9000))).id;
    bunch = (await create(t, shop.accessToken, 'products', { name: 'Eucalyptus', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 30000 })).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (token: string) => ({
    get: (url: string) => t.request('GET', url, { token }),
    patch: (id: string, attributes: Record<string, unknown>, relationships?: Record<string, unknown>) =>
      t.request('PATCH', `/api/v1/orders/${id}`, { token, body: { data: { type: 'orders', id, attributes, ...(relationships && { relationships }) } } }),
    del: (url: string) => t.request('DELETE', url, { token }),
  });
  const owner = () => as(shop.accessToken);
  /** Rows of the shop in a table, straight from the shard: what a refused request must not have written. */
  const rows = async (table: string) => {
    const db = await t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
    const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`, [shop.tenantId]);
    return Number(n);
  };

  describe('taking an order', () => {
    it('creates an order with its lines in one atomic request: numbered, priced from the products unless given, totalled', async () => {
      const res = await atomic(t, shop.accessToken, orderOperations(arbat, [{ product: rose, quantity: '3' }, { product: tulip, quantity: '5', unitPrice: 8000 }, { product: bunch, quantity: '0.5' }]));
      expect(res.status).toBe(200);
      const [order, ...lines] = res.body['atomic:results'].map((r: any) => r.data);
      expect(lines.map((l: any) => l.attributes)).toEqual([
        expect.objectContaining({ quantity: '3', unitPrice: 15000, total: 45000 }),
        expect.objectContaining({ quantity: '5', unitPrice: 8000, total: 40000 }),
        expect.objectContaining({ quantity: '0.5', unitPrice: 30000, total: 15000 }),
      ]);
      const read = await owner().get(`/api/v1/orders/${order.id}?include=lines`);
      expect(read.body.data.attributes).toMatchObject({
        ...orderAttributes(),
        number: expect.any(Number),
        status: 'new',
        total: 100000,
      });
      expect(read.body.data.relationships.store.data).toEqual({ type: 'stores', id: arbat });
      expect(read.body.data.relationships.courier.data).toBeNull();
      expect(read.body.included.map((l: any) => l.id)).toEqual(lines.map((l: any) => l.id));
      const next = await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '1' }]);
      expect((await owner().get(`/api/v1/orders/${next.order}`)).body.data.attributes.number).toBe(read.body.data.attributes.number + 1);
    });

    it('numbers orders taken at the same moment 1, 2, 3... without a gap or a repeat, from a new shop’s first order on', async () => {
      const fresh = await newShop(t);
      const store = await newStore(t, fresh.accessToken, 'Busy day');
      const product = (await create(t, fresh.accessToken, 'products', flower('Busy rose'))).id;
      const placed = await Promise.all(Array.from({ length: 6 }, () => placeOrder(t, fresh.accessToken, store, [{ product, quantity: '1' }])));
      const numbers = await Promise.all(placed.map(async ({ order }) => (await t.request('GET', `/api/v1/orders/${order}`, { token: fresh.accessToken })).body.data.attributes.number));
      expect(numbers.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('finds an order by the recipient phone written any way, through the blind index, and by delivery day', async () => {
      const { order } = await placeOrder(t, shop.accessToken, kiosk, [{ product: rose, quantity: '1' }], { recipientPhone: '+7 (903) 555-01-02', deliveryDate: '2026-05-01' });
      for (const written of ['89035550102', '+7 903 555 01 02', '+79035550102']) {
        const found = await owner().get(`/api/v1/orders?filter[recipientPhone]=${encodeURIComponent(written)}`);
        expect({ written, ids: ids(found) }).toEqual({ written, ids: [order] });
      }
      expect(ids(await owner().get('/api/v1/orders?filter[recipientPhone]=not-a-phone'))).toEqual([]);
      const day = await owner().get(`/api/v1/orders?filter[deliveryDate][gte]=2026-05-01&filter[deliveryDate][lte]=2026-05-01&filter[store]=${kiosk}`);
      expect(ids(day)).toEqual([order]);
      expect(day.body.meta.total).toBe(1);
    });

    it('refuses bad input with a pointer and writes nothing', async () => {
      const manager = await newEmployee(t, shop.accessToken, 'manager', [arbat]);
      const kioskCourier = await newEmployee(t, shop.accessToken, 'courier', [kiosk]);
      const other = await newShop(t);
      const stranger = await newEmployee(t, other.accessToken, 'courier');
      const archived = (await create(t, shop.accessToken, 'products', flower('Archived rose'))).id;
      expect((await t.request('PATCH', `/api/v1/products/${archived}`, { token: shop.accessToken, body: { data: { type: 'products', id: archived, attributes: { archived: true } } } })).status).toBe(200);
      const before = [await rows('orders'), await rows('order_lines')];
      const cases: Array<[string, unknown[], unknown]> = [
        ['negative quantity', orderOperations(arbat, [{ product: rose, quantity: '-1' }]), { status: 422, errors: [['validation-failed', '/atomic:operations/1/data/attributes/quantity']] }],
        ['fractional stems', orderOperations(arbat, [{ product: rose, quantity: '1.5' }]), { status: 422, errors: [['fractional-quantity', '/atomic:operations/1/data/attributes/quantity']] }],
        ['an archived product', orderOperations(arbat, [{ product: archived, quantity: '1' }]), { status: 422, errors: [['product-archived', '/atomic:operations/1/data/relationships/product/data']] }],
        ['a manager as courier', orderOperations(arbat, [], {}, manager.id), { status: 422, errors: [['invalid-courier', '/atomic:operations/0/data/relationships/courier/data']] }],
        ['a courier of another store', orderOperations(arbat, [], {}, kioskCourier.id), { status: 422, errors: [['invalid-courier', '/atomic:operations/0/data/relationships/courier/data']] }],
        ["another shop's courier", orderOperations(arbat, [], {}, stranger.id), { status: 404, errors: [['related-not-found', '/atomic:operations/0/data/relationships/courier/data']] }],
        ['an unknown status', orderOperations(arbat, [], { status: 'lost' }), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/status']] }],
        ['a status a new order cannot start in', orderOperations(arbat, [], { status: 'delivered' }), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/status']] }],
        ['a slot that ends before it starts', orderOperations(arbat, [], { deliverySlot: '14:00-12:00' }), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/deliverySlot']] }],
        ['a slot that is no time', orderOperations(arbat, [], { deliverySlot: '25:00-26:00' }), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/deliverySlot']] }],
        ['a day that does not exist', orderOperations(arbat, [], { deliveryDate: '2026-02-30' }), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/deliveryDate']] }],
        ['a phone that is no phone', orderOperations(arbat, [], { recipientPhone: '12345' }), { status: 422, errors: [['validation-failed', '/atomic:operations/0/data/attributes/recipientPhone']] }],
        ['a total from the client', orderOperations(arbat, [], { total: 1 }), { status: 403, errors: [['read-only-attribute', '/atomic:operations/0/data/attributes/total']] }],
      ];
      for (const [label, operations, expected] of cases) expect({ label, ...problem(await atomic(t, shop.accessToken, operations)) }).toEqual({ label, ...(expected as object) });
      expect([await rows('orders'), await rows('order_lines')]).toEqual(before);
    });

    it('takes lines only in the request that creates the order (409), and only a new or cancelled order is deleted (409 otherwise)', async () => {
      const { order } = await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '1' }]);
      const late = await t.request('POST', '/api/v1/order-lines', {
        token: shop.accessToken,
        body: { data: { type: 'order-lines', attributes: { quantity: '1' }, relationships: { order: one('orders', order), product: one('products', rose) } } },
      });
      expect(problem(late)).toEqual({ status: 409, errors: [['order-closed', '/data/relationships/order/data']] });
      expect((await owner().patch(order, { status: 'confirmed' })).status).toBe(200);
      expect(problem(await owner().del(`/api/v1/orders/${order}`))).toEqual({ status: 409, errors: [['order-not-deletable', undefined]] });
      expect((await owner().patch(order, { status: 'cancelled' })).status).toBe(200);
      expect((await owner().del(`/api/v1/orders/${order}`)).status).toBe(204);
      expect((await owner().get(`/api/v1/orders/${order}`)).status).toBe(404);
    });
  });

  it('keeps a store with orders from being deleted (409 store-in-use), even when its orders are cancelled', async () => {
    const store = await newStore(t, shop.accessToken, 'Closing soon');
    const { order } = await placeOrder(t, shop.accessToken, store, [{ product: rose, quantity: '1' }]);
    expect((await owner().patch(order, { status: 'cancelled' })).status).toBe(200);
    const refused = await owner().del(`/api/v1/stores/${store}`);
    expect({ status: refused.status, code: refused.body.errors[0].code, detail: refused.body.errors[0].detail }).toEqual({
      status: 409,
      code: 'store-in-use',
      detail: 'This store has orders, which the books keep: it cannot be deleted. Keep it, renamed if it has closed.',
    });
    expect((await owner().del(`/api/v1/orders/${order}`)).status).toBe(204);
    expect((await owner().del(`/api/v1/stores/${store}`)).status).toBe(204);
  });

  it('keeps a product on an order from being deleted (409 product-in-use) until the order is', async () => {
    const peony = (await create(t, shop.accessToken, 'products', flower('Order peony', 25000))).id;
    const { order } = await placeOrder(t, shop.accessToken, arbat, [{ product: peony, quantity: '3' }]);
    const refused = await owner().del(`/api/v1/products/${peony}`);
    expect({ status: refused.status, code: refused.body.errors[0].code, detail: refused.body.errors[0].detail }).toEqual({
      status: 409,
      code: 'product-in-use',
      detail: 'An order has this product; archive it (archived: true) instead of deleting it.',
    });
    expect((await owner().get(`/api/v1/order-lines?filter[order]=${order}`)).body.data).toHaveLength(1);
    expect((await owner().del(`/api/v1/orders/${order}`)).status).toBe(204);
    expect((await owner().del(`/api/v1/products/${peony}`)).status).toBe(204);
  });

  describe('status', () => {
    it('moves forward one step at a time; a refused change is 422 pointing at the status and changes nothing', async () => {
      const { order } = await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '1' }]);
      expect(problem(await owner().patch(order, { status: 'delivered' }))).toEqual({ status: 422, errors: [['invalid-status-transition', '/data/attributes/status']] });
      for (const status of ['confirmed', 'assembled', 'out-for-delivery', 'assembled', 'out-for-delivery', 'delivered']) {
        const res = await owner().patch(order, { status });
        expect({ status, answer: res.status, now: res.body.data?.attributes.status }).toEqual({ status, answer: 200, now: status });
      }
      for (const to of ['cancelled', 'new', 'out-for-delivery']) {
        expect({ to, ...problem(await owner().patch(order, { status: to })) }).toEqual({ to, status: 422, errors: [['invalid-status-transition', '/data/attributes/status']] });
      }
      expect(problem(await owner().patch(order, { status: 'lost' }))).toEqual({ status: 422, errors: [['validation-failed', '/data/attributes/status']] });
      expect((await owner().get(`/api/v1/orders/${order}`)).body.data.attributes.status).toBe('delivered');
    });
  });

  describe('who sees which order', () => {
    let courierA: Member;
    let courierB: Member;
    let florist: Member;
    let ofA: string;
    let ofB: string;
    let unassigned: string;
    let elsewhere: string;

    beforeAll(async () => {
      [courierA, courierB] = [await newEmployee(t, shop.accessToken, 'courier', [arbat]), await newEmployee(t, shop.accessToken, 'courier', [arbat])];
      florist = await newEmployee(t, shop.accessToken, 'florist', [kiosk]);
      ofA = (await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '2' }], { status: 'confirmed' }, courierA.id)).order;
      ofB = (await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '2' }], {}, courierB.id)).order;
      unassigned = (await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '2' }])).order;
      elsewhere = (await placeOrder(t, shop.accessToken, kiosk, [{ product: tulip, quantity: '2' }])).order;
    });

    it('shows a courier only the orders assigned to them: lists, counts, get-one, includes, related and line routes', async () => {
      const a = as(courierA.accessToken);
      const list = await a.get('/api/v1/orders?include=lines');
      expect(ids(list)).toEqual([ofA]);
      expect(list.body.meta.total).toBe(1);
      expect(list.body.data[0].attributes).toMatchObject({ recipientName: 'Maria Ivanova', address: 'Tverskaya 1, apt 5' });
      const lineOfA = list.body.included[0].id;
      for (const hidden of [ofB, unassigned, elsewhere]) {
        for (const url of [`/api/v1/orders/${hidden}`, `/api/v1/orders/${hidden}/lines`, `/api/v1/orders/${hidden}/relationships/lines`]) {
          expect({ url, ...problem(await a.get(url)) }).toEqual({ url, status: 404, errors: [['not-found', undefined]] });
        }
      }
      const lines = await a.get('/api/v1/order-lines?include=order');
      expect(ids(lines)).toEqual([lineOfA]);
      expect(lines.body.meta.total).toBe(1);
      expect(lines.body.included.map((o: any) => o.id)).toEqual([ofA]);
      // What to hand over, and the order's total to collect; not the shop's prices.
      expect(lines.body.data[0].attributes).toEqual({ quantity: '2', createdAt: expect.any(String) });
      expect(lines.body.included[0].attributes.total).toBe(30000);
      expect(ids(await a.get(`/api/v1/order-lines?filter[order]=${ofB},${unassigned}`))).toEqual([]);
      expect((await a.get(`/api/v1/order-lines/${lineOfA}`)).status).toBe(200);
      expect(ids(await a.get(`/api/v1/orders?filter[courier]=${courierB.id}`))).toEqual([]);
      expect(ids(await a.get('/api/v1/orders?filter[updatedSince]=2000-01-01T00:00:00Z'))).toEqual([ofA]);
      // No catalogue for couriers: the products of the lines stay out.
      expect(problem(await a.get('/api/v1/order-lines?include=product'))).toEqual({ status: 400, errors: [['invalid-query-parameter', 'include']] });
    });

    it('lets a courier move their order out for delivery and deliver it, and nothing else', async () => {
      const a = as(courierA.accessToken);
      expect((await owner().patch(ofA, { status: 'assembled' })).status).toBe(200);
      expect(problem(await a.patch(ofA, { address: 'Somewhere else 2' }))).toEqual({ status: 403, errors: [['courier-not-allowed', '/data/attributes/address']] });
      expect(problem(await a.patch(ofA, { status: 'out-for-delivery', deliverySlot: '12:00-14:00' }))).toEqual({ status: 403, errors: [['courier-not-allowed', '/data/attributes/deliverySlot']] });
      expect(problem(await a.patch(ofA, { status: 'cancelled' }))).toEqual({ status: 403, errors: [['courier-not-allowed', '/data/attributes/status']] });
      expect(problem(await a.patch(ofA, {}, { courier: one('employees', courierA.id) }))).toEqual({ status: 403, errors: [['courier-not-allowed', '/data/relationships/courier']] });
      expect(problem(await a.patch(ofA, { status: 'delivered' }))).toEqual({ status: 422, errors: [['invalid-status-transition', '/data/attributes/status']] });
      const out = await a.patch(ofA, { status: 'out-for-delivery' });
      expect(out.status).toBe(200);
      expect(out.body.data.attributes).toMatchObject({ status: 'out-for-delivery', address: 'Tverskaya 1, apt 5' });
      expect((await a.patch(ofA, { status: 'delivered' })).body.data.attributes.status).toBe('delivered');
      // B's order is as missing as one that never was; creating and deleting are not a courier's.
      expect(problem(await a.patch(ofB, { status: 'out-for-delivery' }))).toEqual({ status: 404, errors: [['not-found', undefined]] });
      expect(problem(await a.del(`/api/v1/orders/${ofB}`))).toEqual({ status: 403, errors: [['forbidden', undefined]] });
      expect((await atomic(t, courierA.accessToken, orderOperations(arbat, [{ product: rose, quantity: '1' }], {}, courierA.id))).status).toBe(403);
      expect((await t.request('POST', '/api/v1/orders', { token: courierA.accessToken, body: { data: { type: 'orders', attributes: orderAttributes(), relationships: { store: one('stores', arbat) } } } })).status).toBe(403);
      expect((await owner().get(`/api/v1/orders/${ofB}`)).body.data.attributes.status).toBe('new');
    });

    it('lets an owner assign a courier only of the order’s store, and a courier taken off the store stops seeing its orders', async () => {
      const c = await newEmployee(t, shop.accessToken, 'courier', [arbat]);
      const { order } = await placeOrder(t, shop.accessToken, arbat, [{ product: rose, quantity: '1' }]);
      expect(problem(await owner().patch(order, {}, { courier: one('employees', florist.id) }))).toEqual({ status: 422, errors: [['invalid-courier', '/data/relationships/courier/data']] });
      expect((await owner().patch(order, {}, { courier: one('employees', c.id) })).status).toBe(200);
      expect(problem(await owner().patch(order, {}, { store: one('stores', kiosk) }))).toEqual({ status: 422, errors: [['invalid-courier', '/data/relationships/store/data']] });
      expect(ids(await as(c.accessToken).get('/api/v1/orders'))).toEqual([order]);
      const off = await t.request('PATCH', `/api/v1/employees/${c.id}/relationships/stores`, { token: shop.accessToken, body: { data: [{ type: 'stores', id: kiosk }] } });
      expect(off.status).toBe(204);
      const after = await as(c.accessToken).get('/api/v1/orders');
      expect(ids(after)).toEqual([]);
      expect(after.body.meta.total).toBe(0);
      expect((await as(c.accessToken).get(`/api/v1/orders/${order}`)).status).toBe(404);
    });

    it('shows a florist every order of their stores and none of the others', async () => {
      const f = as(florist.accessToken);
      const list = await f.get(`/api/v1/orders?page[size]=200`);
      expect(list.body.data.every((o: any) => o.relationships.store.data.id === kiosk)).toBe(true);
      expect(ids(list)).toContain(elsewhere);
      expect(list.body.meta.total).toBe(list.body.data.length);
      for (const hidden of [ofA, ofB, unassigned]) expect((await f.get(`/api/v1/orders/${hidden}`)).status).toBe(404);
      expect((await f.patch(elsewhere, { status: 'confirmed' })).status).toBe(200);
      expect(problem(await f.patch(unassigned, { status: 'confirmed' }))).toEqual({ status: 404, errors: [['not-found', undefined]] });
      // A florist takes orders only for their own stores.
      expect(problem(await atomic(t, florist.accessToken, orderOperations(arbat, [])))).toEqual({ status: 404, errors: [['related-not-found', '/atomic:operations/0/data/relationships/store/data']] });
      expect((await atomic(t, florist.accessToken, orderOperations(kiosk, [{ product: tulip, quantity: '1' }]))).status).toBe(200);
    });
  });

  it("exports a store's deliveries as CSV with the recipients decrypted, on the audit log; couriers and florists may not", async () => {
    const day = '2026-05-09';
    const { order } = await placeOrder(t, shop.accessToken, kiosk, [{ product: rose, quantity: '2' }], { deliveryDate: day, recipientPhone: '+7 903 765-43-21', cardMessage: 'With love, "A", always' });

    const res = await exportCsv(t, shop.accessToken, 'orders', `filter[store]=${kiosk}&filter[deliveryDate][gte]=${day}&filter[deliveryDate][lte]=${day}`);

    expect(res.status).toBe(200);
    const { records } = csvRecords(res.text);
    expect(records).toEqual([
      expect.objectContaining({ id: order, deliveryDate: day, recipientPhone: "'+7 903 765-43-21", cardMessage: 'With love, "A", always', status: 'new', total: '30000', store: kiosk }),
    ]);
    const events = await t.request('GET', '/api/v1/audit-events?filter[action]=data.exported&filter[targetType]=orders', { token: shop.accessToken });
    expect(events.body.data.map((e: any) => JSON.parse(e.attributes.details))).toContainEqual({ format: 'csv', rows: 1, filters: 'deliveryDate,store' });
    for (const role of ['courier', 'florist']) {
      const member = await newEmployee(t, shop.accessToken, role, [kiosk]);
      expect({ role, status: (await exportCsv(t, member.accessToken, 'orders')).status }).toEqual({ role, status: 403 });
    }
  });

  it('refuses an order for a store deleted after the request found it: 404, nothing written', async () => {
    const gone = await newStore(t, shop.accessToken, 'Gone before the order');
    expect((await t.request('DELETE', `/api/v1/stores/${gone}`, { token: shop.accessToken })).status).toBe(204);
    const before = await rows('orders');
    // As the engine calls the service once it has found the store: attributes sealed (any text will do here).
    const sealed = { deliveryDate: '2026-03-08', deliverySlot: '10:00-12:00', recipientName: 'x', recipientPhone: 'x', recipientPhoneIndex: 'x', address: 'x' };

    const refused = t.app.get(ShardRegistry).transaction(await serviceContext(t, shop), (tx) => t.app.get(OrderService).create(tx, { attributes: sealed as never, relationships: { store: gone } }));

    await expect(refused).rejects.toMatchObject({ code: 'not-found', detail: `No stores with id ${gone}.` });
    expect(await rows('orders')).toBe(before);
  });
});
