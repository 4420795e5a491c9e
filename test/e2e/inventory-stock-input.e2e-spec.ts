import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, one } from '../support/catalog-fixtures';
import { type Shop, newEmployee, newShop } from '../support/fixtures';
import { atomic, documentOperations, newStore, receive, receiptOperations, stemProduct } from '../support/stock-fixtures';

describe(`inventory stock: what a florist can get wrong, and who may do what (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let store: string;
  let other: string;
  let rose: { id: string };
  let bunch: { id: string };
  let archived: { id: string };
  let service: { id: string };
  let foreign: { id: string };

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    store = await newStore(t, shop.accessToken, 'Arbat');
    other = await newStore(t, shop.accessToken, 'Kiosk');
    rose = await stemProduct(t, shop.accessToken, 'Input rose');
    bunch = await create(t, shop.accessToken, 'products', { name: 'Input salal', kind: 'greenery', unit: 'bunch', bunchSize: 10, price: 100, shelfLifeDays: 10 });
    archived = await stemProduct(t, shop.accessToken, 'Old rose', { archived: true });
    service = await create(t, shop.accessToken, 'products', { name: 'Delivery', kind: 'service', unit: 'piece', price: 50000 });
    const stranger = await newShop(t);
    foreign = await stemProduct(t, stranger.accessToken, 'Their rose');
    await receive(t, shop.accessToken, store, [
      { product: rose.id, quantity: '10', unitCost: 100 },
      { product: bunch.id, quantity: '2', unitCost: 100 },
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const total = async (type: string) => (await t.request('GET', `/api/v1/${type}?page[size]=1`, { token: shop.accessToken })).body.meta.total as number;
  /** Everything a wrong request could have written. */
  const books = async () => ({
    documents: await Promise.all(['goods-receipts', 'write-offs', 'transfers', 'stock-counts', 'stock-batches', 'stock-movements'].map(total)),
    levels: (await t.request('GET', '/api/v1/stock-levels?page[size]=500', { token: shop.accessToken })).body.data.map((l: any) => [l.id, l.attributes.quantity]),
  });

  const receipt = (lines: Array<{ product: string; quantity: unknown; unitCost?: unknown }>, attributes: Record<string, unknown> = {}) =>
    receiptOperations(store, lines as never, attributes);
  const writeOff = (lines: Array<{ product: string; quantity: string }>, attributes: Record<string, unknown> = { reason: 'wilted' }) =>
    documentOperations('write-offs', 'writeOff', { attributes, relationships: { store: one('stores', store) } }, lines);
  const transfer = (to: string, lines: Array<{ product: string; quantity: string }>) =>
    documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', store), toStore: one('stores', to) } }, lines);
  const count = (lines: Array<{ product: string; quantity: string }>) =>
    documentOperations('stock-counts', 'stockCount', { relationships: { store: one('stores', store) } }, lines, ({ quantity }) => ({ countedQuantity: quantity }));

  const line = (n: number, member: string) => `/atomic:operations/${n}/data/${member}`;
  const cases: Array<[string, () => unknown[], number, string, string]> = [
    ['a negative quantity', () => receipt([{ product: rose.id, quantity: '-5', unitCost: 1 }]), 422, 'validation-failed', line(1, 'attributes/quantity')],
    ['a zero quantity', () => receipt([{ product: rose.id, quantity: '0', unitCost: 1 }]), 422, 'validation-failed', line(1, 'attributes/quantity')],
    ['a quantity as a JSON number', () => receipt([{ product: rose.id, quantity: 10, unitCost: 1 }]), 422, 'validation-failed', line(1, 'attributes/quantity')],
    ['half a stem', () => receipt([{ product: rose.id, quantity: '2.5', unitCost: 1 }]), 422, 'fractional-quantity', line(1, 'attributes/quantity')],
    ['a unit cost with kopecks as a fraction', () => receipt([{ product: rose.id, quantity: '1', unitCost: 45.5 }]), 422, 'validation-failed', line(1, 'attributes/unitCost')],
    ['a negative unit cost', () => receipt([{ product: rose.id, quantity: '1', unitCost: -1 }]), 422, 'validation-failed', line(1, 'attributes/unitCost')],
    ['a receipt line for an archived product', () => receipt([{ product: archived.id, quantity: '1', unitCost: 1 }]), 422, 'product-archived', line(1, 'relationships/product/data')],
    ['a receipt line for a service', () => receipt([{ product: service.id, quantity: '1', unitCost: 1 }]), 422, 'not-stock-tracked', line(1, 'relationships/product/data')],
    ['another shop’s product', () => receipt([{ product: foreign.id, quantity: '1', unitCost: 1 }]), 404, 'related-not-found', line(1, 'relationships/product/data')],
    ['a receipt dated in the future', () => receipt([{ product: rose.id, quantity: '1', unitCost: 1 }], { receivedAt: '2099-01-01T00:00:00Z' }), 422, 'invalid-stock-document', line(0, 'attributes/receivedAt')],
    [
      'a good line after a bad one',
      () => [...receipt([{ product: rose.id, quantity: '3', unitCost: 1 }]), ...receipt([{ product: rose.id, quantity: '1.5', unitCost: 1 }]).slice(0)].map((op, i) => (i >= 2 ? JSON.parse(JSON.stringify(op).replaceAll('"lid":"doc"', '"lid":"doc2"')) : op)),
      422,
      'fractional-quantity',
      line(3, 'attributes/quantity'),
    ],
    ['writing off half a stem', () => writeOff([{ product: rose.id, quantity: '0.5' }]), 422, 'fractional-quantity', line(1, 'attributes/quantity')],
    ['transferring half a stem', () => transfer(other, [{ product: rose.id, quantity: '1.5' }]), 422, 'fractional-quantity', line(1, 'attributes/quantity')],
    ['writing off more than there is', () => writeOff([{ product: rose.id, quantity: '6' }, { product: rose.id, quantity: '6' }]), 409, 'insufficient-stock', line(2, 'attributes/quantity')],
    ['a write-off reason that is not on the list', () => writeOff([{ product: rose.id, quantity: '1' }], { reason: 'stolen' }), 422, 'validation-failed', line(0, 'attributes/reason')],
    ['a transfer to the same store', () => transfer(store, [{ product: rose.id, quantity: '1' }]), 422, 'same-store', line(0, 'relationships/toStore/data')],
    ['a transfer of more than there is', () => transfer(other, [{ product: rose.id, quantity: '11' }]), 409, 'insufficient-stock', line(1, 'attributes/quantity')],
    ['a count of a product that does not track stock', () => count([{ product: service.id, quantity: '1' }]), 422, 'not-stock-tracked', line(1, 'relationships/product/data')],
    ['a negative count', () => count([{ product: rose.id, quantity: '-1' }]), 422, 'validation-failed', line(1, 'attributes/countedQuantity')],
    ['a count of half a stem', () => count([{ product: rose.id, quantity: '9.5' }]), 422, 'fractional-quantity', line(1, 'attributes/countedQuantity')],
    ['the same product twice in a count', () => count([{ product: bunch.id, quantity: '1.5' }, { product: bunch.id, quantity: '1' }]), 422, 'invalid-stock-document', line(2, 'relationships/product/data')],
  ];

  it.each(cases)('refuses %s with a pointer, and writes nothing', async (_name, operations, status, code, pointer) => {
    const before = await books();
    const res = await atomic(t, shop.accessToken, operations());
    expect({ status: res.status, code: res.body.errors?.[0]?.code, pointer: res.body.errors?.[0]?.source?.pointer }).toEqual({ status, code, pointer });
    expect(await books()).toEqual(before);
  });

  it('refuses lines for a document made in an earlier request (409), and POSTs to the read-only stock types', async () => {
    const [header] = await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '1', unitCost: 1 }]);
    const before = await books();
    const late = await t.request('POST', '/api/v1/goods-receipt-lines', {
      token: shop.accessToken,
      body: { data: { type: 'goods-receipt-lines', attributes: { quantity: '5', unitCost: 1 }, relationships: { goodsReceipt: one('goods-receipts', header.data.id), product: one('products', rose.id) } } },
    });
    expect(late.status).toBe(409);
    expect(late.body.errors[0]).toMatchObject({ code: 'document-closed', source: { pointer: '/data/relationships/goodsReceipt/data' } });
    for (const type of ['stock-levels', 'stock-batches', 'stock-movements']) {
      const res = await t.request('POST', `/api/v1/${type}`, { token: shop.accessToken, body: { data: { type, attributes: { quantity: '100' } } } });
      expect({ type, status: res.status }).toEqual({ type, status: 403 });
    }
    expect(await books()).toEqual(before);
  });

  it('accepts only status received on a transfer, and never a change of its stores', async () => {
    const res = await atomic(t, shop.accessToken, transfer(other, [{ product: bunch.id, quantity: '0.5' }]));
    const id = res.body['atomic:results'][0].data.id;
    const patch = (data: Record<string, unknown>) => t.request('PATCH', `/api/v1/transfers/${id}`, { token: shop.accessToken, body: { data: { type: 'transfers', id, ...data } } });
    const back = await patch({ attributes: { status: 'in-transit' } });
    expect(back.status).toBe(422);
    expect(back.body.errors[0].source.pointer).toBe('/data/attributes/status');
    const moved = await patch({ relationships: { toStore: one('stores', store) } });
    expect(moved.status).toBe(422);
    expect(moved.body.errors[0].source.pointer).toBe('/data/relationships/toStore');
    expect((await t.request('GET', `/api/v1/transfers/${id}`, { token: shop.accessToken })).body.data.attributes.status).toBe('in-transit');
  });

  describe('the employee behind a stock document', () => {
    let till: string;
    let florist: Awaited<ReturnType<typeof newEmployee>>;
    const withEmployee = (employee?: string | null) =>
      documentOperations(
        'write-offs',
        'writeOff',
        { attributes: { reason: 'damaged' }, relationships: { store: one('stores', store), ...(employee !== undefined && { employee: { data: employee && { type: 'employees', id: employee } } }) } },
        [{ product: rose.id, quantity: '1' }],
      );
    const recorded = async (writeOffId: string) => {
      const document = await t.request('GET', `/api/v1/write-offs/${writeOffId}`, { token: shop.accessToken });
      const movements = (await t.request('GET', '/api/v1/stock-movements?filter[kind]=write-off&page[size]=500', { token: shop.accessToken })).body.data.filter(
        (m: any) => m.relationships.writeOff.data?.id === writeOffId,
      );
      return [document.body.data.relationships.employee.data?.id, ...movements.map((m: any) => m.relationships.employee.data?.id)];
    };

    beforeAll(async () => {
      till = (await create(t, shop.accessToken, 'device-tokens', { name: 'Arbat till' }, { store: one('stores', store) })).attributes.token as string;
      florist = await newEmployee(t, shop.accessToken, 'florist', [store]);
    });

    it('makes a POS terminal name the employee, and records them on the document and its movements', async () => {
      const res = await atomic(t, till, withEmployee(florist.id));
      expect(res.status).toBe(200);
      expect(await recorded(res.body['atomic:results'][0].data.id)).toEqual([florist.id, florist.id]);

      const count = await atomic(
        t,
        till,
        documentOperations('stock-counts', 'stockCount', { relationships: { store: one('stores', store), employee: one('employees', florist.id) } }, [{ product: rose.id, quantity: '9' }], ({ quantity }) => ({
          countedQuantity: quantity,
        })),
      );
      expect(count.status).toBe(200);
      expect((await t.request('GET', `/api/v1/stock-counts/${count.body['atomic:results'][0].data.id}`, { token: shop.accessToken })).body.data.relationships.employee.data.id).toBe(florist.id);
    });

    it('records the caller with a user’s token, who may name only themselves', async () => {
      const own = await atomic(t, florist.accessToken, withEmployee(florist.id));
      expect(own.status).toBe(200);
      expect(await recorded(own.body['atomic:results'][0].data.id)).toEqual([florist.id, florist.id]);
      const unnamed = await atomic(t, florist.accessToken, withEmployee());
      expect(await recorded(unnamed.body['atomic:results'][0].data.id)).toEqual([florist.id, florist.id]);

      const before = await books();
      const forSomeoneElse = await atomic(t, shop.accessToken, withEmployee(florist.id));
      expect([forSomeoneElse.status, forSomeoneElse.body.errors[0].code, forSomeoneElse.body.errors[0].source.pointer]).toEqual([
        422,
        'invalid-employee',
        line(0, 'relationships/employee/data'),
      ]);
      expect(await books()).toEqual(before);
    });

    it('refuses a terminal’s write-off that names no one, or someone who may not make it there, writing nothing', async () => {
      const elsewhere = await newEmployee(t, shop.accessToken, 'florist', [other]);
      const courier = await newEmployee(t, shop.accessToken, 'courier', [store]);
      const gone = await newEmployee(t, shop.accessToken, 'florist', [store]);
      await t.request('PATCH', `/api/v1/employees/${gone.id}`, { token: shop.accessToken, body: { data: { type: 'employees', id: gone.id, attributes: { active: false } } } });
      const stranger = await newShop(t);
      const theirs = await newEmployee(t, stranger.accessToken, 'florist');
      const refusals: Array<[string, string | null | undefined, number, string, string]> = [
        ['no employee', undefined, 422, 'invalid-employee', line(0, 'relationships')],
        ['a null employee', null, 422, 'invalid-employee', line(0, 'relationships/employee/data')],
        ['a courier of the store', courier.id, 422, 'invalid-employee', line(0, 'relationships/employee/data')],
        ['a deactivated florist of the store', gone.id, 422, 'invalid-employee', line(0, 'relationships/employee/data')],
        ['a florist of another store', elsewhere.id, 404, 'related-not-found', line(0, 'relationships/employee/data')],
        ['another shop’s florist', theirs.id, 404, 'related-not-found', line(0, 'relationships/employee/data')],
      ];
      const before = await books();
      for (const [what, employee, status, code, pointer] of refusals) {
        const res = await atomic(t, till, withEmployee(employee));
        expect({ what, status: res.status, code: res.body.errors[0].code, pointer: res.body.errors[0].source.pointer }).toEqual({ what, status, code, pointer });
      }
      expect(await books()).toEqual(before);
    });

    it('makes a terminal name who accepts a transfer, from the receiving store’s staff', async () => {
      // A store of its own: the scope tests below expect none of the stock in `other`.
      const kiosk = await newStore(t, shop.accessToken, 'Station kiosk');
      const kioskTill = (await create(t, shop.accessToken, 'device-tokens', { name: 'Kiosk till' }, { store: one('stores', kiosk) })).attributes.token as string;
      const receiver = await newEmployee(t, shop.accessToken, 'florist', [kiosk]);
      const early = await atomic(
        t,
        shop.accessToken,
        documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', store), toStore: one('stores', kiosk), receiver: one('employees', receiver.id) } }, [
          { product: rose.id, quantity: '1' },
        ]),
      );
      expect([early.status, early.body.errors[0].source.pointer]).toEqual([422, line(0, 'relationships/receiver')]);
      const made = await atomic(t, shop.accessToken, transfer(kiosk, [{ product: rose.id, quantity: '1' }]));
      const id = made.body['atomic:results'][0].data.id;
      const renamed = await t.request('PATCH', `/api/v1/transfers/${id}`, { token: kioskTill, body: { data: { type: 'transfers', id, relationships: { receiver: one('employees', receiver.id) } } } });
      expect([renamed.status, renamed.body.errors[0].source.pointer]).toEqual([422, '/data/relationships/receiver']);
      const accept = (relationships: Record<string, unknown>) =>
        t.request('PATCH', `/api/v1/transfers/${id}`, { token: kioskTill, body: { data: { type: 'transfers', id, attributes: { status: 'received' }, relationships } } });
      const unnamed = await accept({});
      expect([unnamed.status, unnamed.body.errors[0].source.pointer]).toEqual([422, '/data/relationships']);
      const wrong = await accept({ receiver: one('employees', florist.id) });
      expect([wrong.status, wrong.body.errors[0].source.pointer]).toEqual([404, '/data/relationships/receiver/data']);
      expect((await t.request('GET', `/api/v1/transfers/${id}`, { token: shop.accessToken })).body.data.attributes.status).toBe('in-transit');
      const accepted = await accept({ receiver: one('employees', receiver.id) });
      expect(accepted.status).toBe(200);
      expect(accepted.body.data.relationships.receiver.data).toEqual({ type: 'employees', id: receiver.id });
      const arrived = await t.request('GET', `/api/v1/stock-movements?filter[store]=${kiosk}&filter[kind]=transfer-in&page[size]=500`, { token: shop.accessToken });
      expect(arrived.body.data.filter((m: any) => m.relationships.transfer.data?.id === id).map((m: any) => m.relationships.employee.data?.id)).toEqual([receiver.id]);
    });
  });

  describe('roles and store scope', () => {
    it('lets a florist receive and read stock in their store but never shows cost prices', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [store]);
      const res = await atomic(t, florist.accessToken, receiptOperations(store, [{ product: rose.id, quantity: '5', unitCost: 5000 }]));
      expect(res.status).toBe(200);
      expect(res.body['atomic:results'][0].data.attributes).not.toHaveProperty('totalCost');
      expect(res.body['atomic:results'][1].data.attributes).toEqual({ quantity: '5', createdAt: expect.any(String) });
      const receipt = await t.request('GET', `/api/v1/goods-receipts/${res.body['atomic:results'][0].data.id}`, { token: shop.accessToken });
      expect(receipt.body.data.relationships.employee.data).toEqual({ type: 'employees', id: florist.id });
      const batches = await t.request('GET', `/api/v1/stock-batches?filter[store]=${store}`, { token: florist.accessToken });
      expect(batches.body.data.length).toBeGreaterThan(0);
      for (const batch of batches.body.data) expect(batch.attributes).not.toHaveProperty('unitCost');
      const movements = await t.request('GET', '/api/v1/stock-movements', { token: florist.accessToken });
      expect(movements.body.data.length).toBeGreaterThan(0);
      for (const movement of movements.body.data) expect(movement.attributes).not.toHaveProperty('cost');
      expect((await t.request('GET', `/api/v1/stock-batches?filter[store]=${store}`, { token: shop.accessToken })).body.data[0].attributes).toHaveProperty('unitCost');
    });

    it('shows a florist no stock of stores they do not work in, cached or not, and lets them write none there', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [other]);
      const url = `/api/v1/stock-levels?filter[store]=${store}`;
      expect((await t.request('GET', url, { token: shop.accessToken })).body.data.length).toBeGreaterThan(0);
      expect((await t.request('GET', url, { token: shop.accessToken })).headers['x-cache']).toBe('hit');
      const theirs = await t.request('GET', url, { token: florist.accessToken });
      expect([theirs.status, theirs.body.data, theirs.headers['x-cache']]).toEqual([200, [], undefined]);
      for (const type of ['stock-levels', 'stock-batches', 'stock-movements', 'goods-receipts', 'goods-receipt-lines']) {
        const listed = await t.request('GET', `/api/v1/${type}`, { token: florist.accessToken });
        expect({ type, ids: listed.body.data }).toEqual({ type, ids: [] });
      }
      const write = await atomic(t, florist.accessToken, writeOff([{ product: rose.id, quantity: '1' }]));
      expect(write.status).toBe(404);
      expect(write.body.errors[0].source.pointer).toBe('/atomic:operations/0/data/relationships/store/data');
    });

    it('lets only someone who works in the receiving store accept a transfer', async () => {
      const sender = await newEmployee(t, shop.accessToken, 'florist', [store]);
      const receiver = await newEmployee(t, shop.accessToken, 'florist', [other]);
      const made = await atomic(t, shop.accessToken, transfer(other, [{ product: rose.id, quantity: '1' }]));
      const id = made.body['atomic:results'][0].data.id;
      const accept = (token: string) => t.request('PATCH', `/api/v1/transfers/${id}`, { token, body: { data: { type: 'transfers', id, attributes: { status: 'received' } } } });
      const arrived = async () => (await t.request('GET', `/api/v1/stock-movements?filter[store]=${other}&filter[kind]=transfer-in&page[size]=500`, { token: shop.accessToken })).body.data.length;
      const before = await arrived();
      expect((await t.request('GET', `/api/v1/transfers/${id}`, { token: sender.accessToken })).status).toBe(200);
      const refused = await accept(sender.accessToken);
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0]).toMatchObject({ status: '403', code: 'receiving-store-only', source: { pointer: '/data/attributes/status' } });
      expect((await t.request('GET', `/api/v1/transfers/${id}`, { token: shop.accessToken })).body.data.attributes.status).toBe('in-transit');
      expect(await arrived()).toBe(before);
      const accepted = await accept(receiver.accessToken);
      expect(accepted.status).toBe(200);
      expect(accepted.body.data.relationships.receiver.data).toEqual({ type: 'employees', id: receiver.id });
      expect(await arrived()).toBe(before + 1);
    });

    it('lets a courier neither read nor write stock', async () => {
      const courier = await newEmployee(t, shop.accessToken, 'courier', [store]);
      expect((await t.request('GET', `/api/v1/stock-levels?filter[store]=${store}`, { token: courier.accessToken })).status).toBe(403);
      const write = await atomic(t, courier.accessToken, receiptOperations(store, [{ product: rose.id, quantity: '5', unitCost: 5000 }]));
      expect(write.status).toBe(403);
    });
  });
});
