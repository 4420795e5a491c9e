import { uuid7 } from '../../src/infra/database/uuid7';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create as createResource, many, one } from '../support/catalog-fixtures';
import { type Shop, newShop, storeDocument, uniqueEmail } from '../support/fixtures';
import { atomic, documentOperations, levelOf, newStore, receive, stemProduct } from '../support/stock-fixtures';

describe(`stores (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (attributes: Record<string, unknown>, id?: string, token = shop.accessToken) =>
    t.request('POST', '/api/v1/stores', { body: storeDocument(attributes, id), token });

  it('creates a store with the tenant time zone by default and reads it back', async () => {
    const res = await create({ name: 'Arbat', address: 'Arbat 1, Moscow' });

    expect(res.status).toBe(201);
    const id = res.body.data.id;
    expect(res.headers.location).toBe(`/api/v1/stores/${id}`);
    expect(res.headers['content-type']).toBe('application/vnd.api+json');
    expect(res.body.data).toMatchObject({
      type: 'stores',
      attributes: { name: 'Arbat', address: 'Arbat 1, Moscow', timeZone: 'Europe/Moscow' },
      links: { self: `/api/v1/stores/${id}` },
    });
    const read = await t.request('GET', `/api/v1/stores/${id}`, { token: shop.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(res.body.data);
    expect(read.body.links.self).toBe(`/api/v1/stores/${id}`);
  });

  it('accepts a client-generated id, and answers 409 when it is used again', async () => {
    const id = uuid7();
    expect((await create({ name: 'Offline kiosk' }, id)).status).toBe(201);
    const again = await create({ name: 'Other' }, id);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ code: 'id-taken', source: { pointer: '/data/id' } });
    expect((await t.request('GET', `/api/v1/stores/${id}`, { token: shop.accessToken })).body.data.attributes.name).toBe(
      'Offline kiosk',
    );
  });

  it('pages, sorts and filters the list', async () => {
    const own = await newShop(t);
    for (const name of ['Delta', 'Alpha', 'Charlie', 'Bravo', 'Echo']) {
      expect((await create({ name }, undefined, own.accessToken)).status).toBe(201);
    }
    const page = await t.request('GET', '/api/v1/stores?page[size]=2&page[number]=2&sort=-name', { token: own.accessToken });

    expect(page.status).toBe(200);
    expect(page.body.data.map((s: any) => s.attributes.name)).toEqual(['Charlie', 'Bravo']);
    expect(page.body.meta).toEqual({ total: 5 });
    const decoded = Object.fromEntries(Object.entries(page.body.links).map(([k, v]) => [k, v && decodeURIComponent(v as string)]));
    expect(decoded).toEqual({
      self: '/api/v1/stores?page[size]=2&page[number]=2&sort=-name',
      first: '/api/v1/stores?page[size]=2&page[number]=1&sort=-name',
      prev: '/api/v1/stores?page[size]=2&page[number]=1&sort=-name',
      next: '/api/v1/stores?page[size]=2&page[number]=3&sort=-name',
      last: '/api/v1/stores?page[size]=2&page[number]=3&sort=-name',
    });
    expect(page.body.links.next).toContain('page%5Bnumber%5D=3');
    const filtered = await t.request('GET', '/api/v1/stores?filter[name]=Echo,Alpha,Nope', { token: own.accessToken });
    expect(filtered.body.data.map((s: any) => s.attributes.name)).toEqual(['Alpha', 'Echo']);
    expect(filtered.body.meta.total).toBe(2);
    const sparse = await t.request('GET', '/api/v1/stores?fields[stores]=name&page[size]=1', { token: own.accessToken });
    expect(sparse.body.data[0].attributes).toEqual({ name: 'Alpha' });
  });

  it('changes only the attributes a PATCH names, and clears a nullable one with null', async () => {
    const created = (await create({ name: 'Before', address: 'Somewhere' })).body.data;
    const res = await t.request('PATCH', `/api/v1/stores/${created.id}`, {
      token: shop.accessToken,
      body: { data: { type: 'stores', id: created.id, attributes: { name: 'After' } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.attributes).toMatchObject({ name: 'After', address: 'Somewhere', timeZone: 'Europe/Moscow' });
    expect(Date.parse(res.body.data.attributes.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.attributes.updatedAt));

    const cleared = await t.request('PATCH', `/api/v1/stores/${created.id}`, {
      token: shop.accessToken,
      body: { data: { type: 'stores', id: created.id, attributes: { address: null } } },
    });
    expect(cleared.body.data.attributes).toMatchObject({ name: 'After', address: null });
  });

  it('deletes a store; afterwards it is not found', async () => {
    const id = (await create({ name: 'Short-lived' })).body.data.id;
    const res = await t.request('DELETE', `/api/v1/stores/${id}`, { token: shop.accessToken });
    expect(res.status).toBe(204);
    expect((await t.request('GET', `/api/v1/stores/${id}`, { token: shop.accessToken })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/stores/${id}`, { token: shop.accessToken })).status).toBe(404);
  });

  describe('a store something refers to', () => {
    const del = (id: string) => t.request('DELETE', `/api/v1/stores/${id}`, { token: shop.accessToken });
    const refusal = (res: { status: number; body: any }) => ({ status: res.status, code: res.body.errors?.[0]?.code, detail: res.body.errors?.[0]?.detail });
    const stillThere = async (id: string) => (await t.request('GET', `/api/v1/stores/${id}`, { token: shop.accessToken })).status;

    it('is not deleted while it has stock history, whether it holds stock or only awaits a transfer (409 store-in-use)', async () => {
      const sender = await newStore(t, shop.accessToken, 'Has stock');
      const receiver = await newStore(t, shop.accessToken, 'Awaits a transfer');
      const rose = await stemProduct(t, shop.accessToken, 'Store history rose');
      await receive(t, shop.accessToken, sender, [{ product: rose.id, quantity: '10', unitCost: 100 }]);
      const sent = await atomic(t, shop.accessToken, documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', sender), toStore: one('stores', receiver) } }, [{ product: rose.id, quantity: '4' }]));
      expect(sent.status).toBe(200);

      const history = 'This store has stock history (levels, batches, movements or documents), which the books keep: it cannot be deleted. Keep it, renamed if it has closed.';
      for (const id of [sender, receiver]) {
        expect(refusal(await del(id))).toEqual({ status: 409, code: 'store-in-use', detail: history });
        expect(await stillThere(id)).toBe(200);
      }
      expect(await levelOf(t, shop.accessToken, sender, rose.id)).toBe('6');
    });

    it('is not deleted while employees work in it or devices are bound to it; once they are moved, it is', async () => {
      const store = await newStore(t, shop.accessToken, 'Staffed');
      const florist = await createResource(t, shop.accessToken, 'employees', { name: 'Staffed florist', email: uniqueEmail('staffed'), role: 'florist' }, { stores: many('stores', [store]) });
      const device = await createResource(t, shop.accessToken, 'device-tokens', { name: 'Staffed till' }, { store: one('stores', store) });

      expect(refusal(await del(store))).toEqual({
        status: 409,
        code: 'store-in-use',
        detail: '1 employee(s) work in this store: take it out of their stores (PATCH /api/v1/employees/<id>/relationships/stores), then delete it.',
      });
      expect((await t.request('GET', `/api/v1/employees/${florist.id}/relationships/stores`, { token: shop.accessToken })).body.data).toEqual([{ type: 'stores', id: store }]);
      expect((await t.request('PATCH', `/api/v1/employees/${florist.id}/relationships/stores`, { token: shop.accessToken, body: many('stores', []) })).status).toBe(204);

      expect(refusal(await del(store))).toEqual({
        status: 409,
        code: 'store-in-use',
        detail: '1 device token(s) are bound to this store: revoke them (DELETE /api/v1/device-tokens/<id>), then delete it.',
      });
      expect(await stillThere(store)).toBe(200);
      expect((await t.request('DELETE', `/api/v1/device-tokens/${device.id}`, { token: shop.accessToken })).status).toBe(204);

      expect((await del(store)).status).toBe(204);
      expect(await stillThere(store)).toBe(404);
    });
  });

  describe("another tenant's store", () => {
    it('is exactly as missing as an id that does not exist, on every route', async () => {
      const victim = (await create({ name: 'Private' })).body.data.id;
      const missing = uuid7();
      const intruder = await newShop(t);
      const attempts = (id: string) => [
        t.request('GET', `/api/v1/stores/${id}`, { token: intruder.accessToken }),
        t.request('PATCH', `/api/v1/stores/${id}`, {
          token: intruder.accessToken,
          body: { data: { type: 'stores', id, attributes: { name: 'Mine now' } } },
        }),
        t.request('DELETE', `/api/v1/stores/${id}`, { token: intruder.accessToken }),
      ];
      const onVictim = await Promise.all(attempts(victim));
      const onMissing = await Promise.all(attempts(missing));
      const shape = (r: { status: number; body: any }, id: string) => ({
        status: r.status,
        errors: r.body.errors.map((e: any) => ({ ...e, detail: e.detail.replace(id, '<id>') })),
      });
      onVictim.forEach((r, i) => {
        expect(r.status).toBe(404);
        expect(shape(r, victim)).toEqual(shape(onMissing[i], missing));
      });
      const list = await t.request('GET', '/api/v1/stores?filter[name]=Private', { token: intruder.accessToken });
      expect(list.body.data).toEqual([]);
      const stillThere = await t.request('GET', `/api/v1/stores/${victim}`, { token: shop.accessToken });
      expect(stillThere.body.data.attributes.name).toBe('Private');
    });
  });

  describe('bad input', () => {
    it.each([
      ['a too-long name', { name: 'x'.repeat(121) }, 422, '/data/attributes/name'],
      ['a blank name', { name: '  ' }, 422, '/data/attributes/name'],
      ['a missing name', {}, 422, '/data/attributes/name'],
      ['a number for a name', { name: 5 }, 422, '/data/attributes/name'],
      ['an unknown time zone', { name: 'x', timeZone: 'Nowhere/Land' }, 422, '/data/attributes/timeZone'],
      ['an unknown attribute', { name: 'x', colour: 'red' }, 400, '/data/attributes/colour'],
      ['a smuggled tenantId', { name: 'x', tenantId: '00000000-0000-7000-8000-000000000000' }, 400, '/data/attributes/tenantId'],
      ['a read-only attribute', { name: 'x', createdAt: '2020-01-01T00:00:00Z' }, 403, '/data/attributes/createdAt'],
    ])('answers %s with %i and a pointer, and writes nothing', async (_label, attributes, status, pointer) => {
      const before = (await t.request('GET', '/api/v1/stores', { token: shop.accessToken })).body.meta.total;
      const res = await create(attributes);
      expect(res.status).toBe(status);
      expect(res.body.errors.map((e: any) => e.source.pointer)).toContain(pointer);
      expect((await t.request('GET', '/api/v1/stores', { token: shop.accessToken })).body.meta.total).toBe(before);
    });

    it.each([
      ['no data', {}, 400, ''],
      ['data as an array', { data: [] }, 400, '/data'],
      // A valid product document: were it taken for what its type says, a product would appear.
      ['a wrong type', { data: { type: 'products', attributes: { name: 'Wrong door', kind: 'flower', unit: 'stem', price: 100 } } }, 409, '/data/type'],
      ['a malformed id', { data: { type: 'stores', id: 'abc', attributes: { name: 'x' } } }, 400, '/data/id'],
      ['a relationship it does not have', { data: { type: 'stores', attributes: { name: 'x' }, relationships: { tenant: { data: null } } } }, 400, '/data/relationships/tenant'],
    ])('answers a document with %s with %i, and writes nothing (neither a store nor a resource of the type it names)', async (_label, body, status, pointer) => {
      const totals = async () => Object.fromEntries(await Promise.all(['stores', 'products'].map(async (type) => [type, (await t.request('GET', `/api/v1/${type}`, { token: shop.accessToken })).body.meta.total])));
      const before = await totals();
      const res = await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body });
      expect(res.status).toBe(status);
      expect(res.body.errors[0].source.pointer).toBe(pointer);
      expect(await totals()).toEqual(before);
    });

    it('answers a PATCH whose id differs from the URL with 409', async () => {
      const id = (await create({ name: 'Mismatch' })).body.data.id;
      const res = await t.request('PATCH', `/api/v1/stores/${id}`, {
        token: shop.accessToken,
        body: { data: { type: 'stores', id: uuid7(), attributes: { name: 'Changed' } } },
      });
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'id-conflict', source: { pointer: '/data/id' } });
    });

    it.each([
      ['an object', () => ({})],
      ['a number', () => 5],
      ['true', () => true],
      ['null', () => null],
      ['the id in an array', (id: string) => [id]],
    ])('answers a PATCH whose data.id is %s with 400 at /data/id, and changes nothing', async (_label, given) => {
      const id = (await create({ name: 'Odd id' })).body.data.id;
      const res = await t.request('PATCH', `/api/v1/stores/${id}`, {
        token: shop.accessToken,
        body: { data: { type: 'stores', id: given(id), attributes: { name: 'Changed' } } },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'invalid-document', source: { pointer: '/data/id' } });
      expect((await t.request('GET', `/api/v1/stores/${id}`, { token: shop.accessToken })).body.data.attributes.name).toBe('Odd id');
    });

    it('takes a PATCH whose data.id is the URL id in upper case: ids compare without case', async () => {
      const id = (await create({ name: 'Upper' })).body.data.id;
      const res = await t.request('PATCH', `/api/v1/stores/${id.toUpperCase()}`, {
        token: shop.accessToken,
        body: { data: { type: 'stores', id: id.toUpperCase(), attributes: { name: 'Upper changed' } } },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id, attributes: { name: 'Upper changed' } });
    });

    it.each([
      ['page[size]=0', 'page[size]'],
      ['page[size]=101', 'page[size]'],
      ['page[number]=-1', 'page[number]'],
      ['page[size]=1.5', 'page[size]'],
      ['page[offset]=3', 'page[offset]'],
      ['sort=address', 'sort'],
      ['sort=name,-name', 'sort'],
      ['filter[address]=x', 'filter[address]'],
      ['fields[stores]=secret', 'fields[stores]'],
      ['include=tenant', 'include'],
      ['unknown=1', 'unknown'],
      ['page[size]=2&page[size]=3', 'page[size]'],
    ])('answers ?%s with 400 naming the parameter', async (query, parameter) => {
      const res = await t.request('GET', `/api/v1/stores?${query}`, { token: shop.accessToken });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'invalid-query-parameter', source: { parameter } });
    });

    it('ignores implementation-specific parameters with a non a-z character', async () => {
      const res = await t.request('GET', '/api/v1/stores?cacheBuster=1', { token: shop.accessToken });
      expect(res.status).toBe(200);
    });

    it('answers a malformed path id with 404', async () => {
      const res = await t.request('GET', '/api/v1/stores/not-a-uuid', { token: shop.accessToken });
      expect(res.status).toBe(404);
    });
  });
});
