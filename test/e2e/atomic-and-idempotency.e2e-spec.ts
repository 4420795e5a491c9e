import { uuid7 } from '../../src/infra/database/uuid7';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower, many, one } from '../support/catalog-fixtures';
import { type Shop, newShop } from '../support/fixtures';

const ATOMIC = 'https://jsonapi.org/ext/atomic';
const ATOMIC_TYPE = `application/vnd.api+json; ext="${ATOMIC}"`;

describe(`atomic operations and idempotent writes (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const operations = (ops: unknown[], headers: Record<string, string> = {}, token = shop.accessToken) =>
    t.request('POST', '/api/v1/operations', { token, body: { 'atomic:operations': ops }, headers: { 'content-type': ATOMIC_TYPE, accept: ATOMIC_TYPE, ...headers } });
  const count = async (type: string, token = shop.accessToken) => (await t.request('GET', `/api/v1/${type}`, { token })).body.meta.total as number;

  describe('POST /api/v1/operations', () => {
    it('runs adds with lid references in order and answers the results in order', async () => {
      const res = await operations([
        { op: 'add', data: { type: 'suppliers', lid: 's1', attributes: { name: 'Dutch auction' } } },
        { op: 'add', data: { type: 'products', lid: 'bouquet', attributes: { name: 'Atomic bouquet', kind: 'composition', unit: 'piece', price: 500000 } } },
        { op: 'add', data: { type: 'products', lid: 'rose', attributes: flower('Atomic rose'), relationships: { suppliers: { data: [{ type: 'suppliers', lid: 's1' }] } } } },
        {
          op: 'add',
          data: {
            type: 'recipe-items',
            attributes: { quantity: '7' },
            relationships: { composition: { data: { type: 'products', lid: 'bouquet' } }, component: { data: { type: 'products', lid: 'rose' } } },
          },
        },
      ]);

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(ATOMIC_TYPE);
      const results = res.body['atomic:results'];
      expect(results.map((r: any) => r.data.type)).toEqual(['suppliers', 'products', 'products', 'recipe-items']);
      const [supplier, bouquet, rose, item] = results.map((r: any) => r.data);
      expect(rose.relationships.suppliers).toBeDefined();
      expect(item.relationships.composition.data).toEqual({ type: 'products', id: bouquet.id });
      expect(item.relationships.component.data).toEqual({ type: 'products', id: rose.id });
      const suppliers = await t.request('GET', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken });
      expect(suppliers.body.data).toEqual([{ type: 'suppliers', id: supplier.id }]);
    });

    it('writes nothing when a later operation fails, and points into the failing operation', async () => {
      const before = { products: await count('products'), suppliers: await count('suppliers') };
      const res = await operations([
        { op: 'add', data: { type: 'suppliers', attributes: { name: 'Rolled back' } } },
        { op: 'add', data: { type: 'products', lid: 'b', attributes: { name: 'Doomed', kind: 'composition', unit: 'piece', price: 1 } } },
        { op: 'add', data: { type: 'recipe-items', attributes: { quantity: 'lots' }, relationships: { composition: { data: { type: 'products', lid: 'b' } }, component: { data: { type: 'products', lid: 'b' } } } } },
      ]);
      expect(res.status).toBe(422);
      expect(res.body.errors[0].source.pointer).toBe('/atomic:operations/2/data/attributes/quantity');
      expect({ products: await count('products'), suppliers: await count('suppliers') }).toEqual(before);
    });

    it('updates and removes by ref and by href, and changes relationships', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Op rose'));
      const lily = await create(t, shop.accessToken, 'products', flower('Op lily'));
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Op supplier' });
      const res = await operations([
        { op: 'update', ref: { type: 'products', id: rose.id }, data: { type: 'products', id: rose.id, attributes: { price: 999 } } },
        { op: 'add', ref: { type: 'products', id: rose.id, relationship: 'suppliers' }, data: [{ type: 'suppliers', id: supplier.id }] },
        { op: 'update', href: `/api/v1/products/${lily.id}`, data: { type: 'products', id: lily.id, attributes: { archived: true } } },
        { op: 'remove', href: `/api/v1/products/${lily.id}` },
      ]);
      expect(res.status).toBe(200);
      expect(res.body['atomic:results']).toEqual([{ data: expect.objectContaining({ id: rose.id }) }, {}, { data: expect.objectContaining({ id: lily.id }) }, {}]);
      expect(res.body['atomic:results'][0].data.attributes.price).toBe(999);
      expect((await t.request('GET', `/api/v1/products/${lily.id}`, { token: shop.accessToken })).status).toBe(404);
      expect((await t.request('GET', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken })).body.data).toEqual([
        { type: 'suppliers', id: supplier.id },
      ]);
    });

    it.each([
      [{ op: 'upsert', data: { type: 'suppliers', attributes: { name: 'x' } } }, '/atomic:operations/0/op'],
      [{ op: 'add', data: { type: 'rocks', attributes: {} } }, '/atomic:operations/0/data/type'],
      [{ op: 'update', ref: { type: 'products', lid: 'never-made' }, data: { type: 'products', lid: 'never-made', attributes: {} } }, '/atomic:operations/0/ref/lid'],
      [{ op: 'remove', href: '/api/v1/nowhere/123' }, '/atomic:operations/0/href'],
      [{ op: 'add', data: { type: 'suppliers', attributes: { name: '' } } }, '/atomic:operations/0/data/attributes/name'],
    ])('refuses the bad operation %p pointing at %s', async (op, pointer) => {
      const res = await operations([op]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.errors[0].source.pointer).toBe(pointer);
    });

    it('needs the atomic extension in the media type', async () => {
      const res = await t.request('POST', '/api/v1/operations', {
        token: shop.accessToken,
        body: { 'atomic:operations': [{ op: 'add', data: { type: 'suppliers', attributes: { name: 'x' } } }] },
      });
      expect(res.status).toBe(415);
    });

    it("answers another tenant's ids in an operation exactly as missing ones", async () => {
      const intruder = await newShop(t);
      const victim = await create(t, shop.accessToken, 'products', flower('Not theirs'));
      const res = await operations([{ op: 'update', ref: { type: 'products', id: victim.id }, data: { type: 'products', id: victim.id, attributes: { price: 1 } } }], {}, intruder.accessToken);
      const missing = await operations([{ op: 'remove', ref: { type: 'products', id: uuid7() } }], {}, intruder.accessToken);
      expect(res.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(res.body.errors[0].code).toBe(missing.body.errors[0].code);
      expect((await t.request('GET', `/api/v1/products/${victim.id}`, { token: shop.accessToken })).body.data.attributes.price).toBe(15000);
    });
  });

  describe('Idempotency-Key', () => {
    const post = (key: string, name: string, headers: Record<string, string> = {}) =>
      t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, headers: { 'idempotency-key': key, ...headers }, body: { data: { type: 'suppliers', attributes: { name } } } });

    it('replays the stored response for a repeat and creates nothing more', async () => {
      const key = `sync-${uuid7()}`;
      const before = await count('suppliers');
      const first = await post(key, 'Once');
      const again = await post(key, 'Once');
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(first.headers['idempotency-replayed']).toBeUndefined();
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(await count('suppliers')).toBe(before + 1);
    });

    it('refuses the same key with another body with 409', async () => {
      const key = `sync-${uuid7()}`;
      await post(key, 'First body');
      const res = await post(key, 'Second body');
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'idempotency-key-reused', source: { header: 'Idempotency-Key' } });
    });

    it('runs concurrent repeats once', async () => {
      const key = `sync-${uuid7()}`;
      const before = await count('suppliers');
      const results = await Promise.all(Array.from({ length: 5 }, () => post(key, 'Concurrent')));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(4);
      expect(await count('suppliers')).toBe(before + 1);
    });

    it('keeps keys per tenant', async () => {
      const key = `sync-${uuid7()}`;
      const other = await newShop(t);
      const mine = await post(key, 'Mine');
      const theirs = await t.request('POST', '/api/v1/suppliers', { token: other.accessToken, headers: { 'idempotency-key': key }, body: { data: { type: 'suppliers', attributes: { name: 'Mine' } } } });
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotency-replayed']).toBeUndefined();
      expect(theirs.body.data.id).not.toBe(mine.body.data.id);
    });

    it('does not keep a key when the write fails, so a corrected retry runs', async () => {
      const key = `sync-${uuid7()}`;
      const bad = await post(key, '');
      expect(bad.status).toBe(422);
      expect((await post(key, '')).headers['idempotency-replayed']).toBeUndefined();
    });

    it('protects an atomic batch as one write', async () => {
      const key = `batch-${uuid7()}`;
      const before = await count('suppliers');
      const ops = [{ op: 'add', data: { type: 'suppliers', attributes: { name: 'Batched once' } } }];
      const first = await operations(ops, { 'idempotency-key': key });
      const again = await operations(ops, { 'idempotency-key': key });
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers['content-type']).toBe(ATOMIC_TYPE);
      expect(await count('suppliers')).toBe(before + 1);
    });

    it('refuses a malformed key with 400 naming the header', async () => {
      const res = await post('x'.repeat(256), 'Too long key');
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'idempotency-key-invalid', source: { header: 'Idempotency-Key' } });
    });

    it('replays deletes and relationship changes too', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Idempotent delete'));
      const key = `delete-${uuid7()}`;
      const first = await t.request('DELETE', `/api/v1/products/${rose.id}`, { token: shop.accessToken, headers: { 'idempotency-key': key } });
      const again = await t.request('DELETE', `/api/v1/products/${rose.id}`, { token: shop.accessToken, headers: { 'idempotency-key': key } });
      expect([first.status, again.status]).toEqual([204, 204]);
      expect(again.headers['idempotency-replayed']).toBe('true');
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Link once' });
      const lily = await create(t, shop.accessToken, 'products', flower('Linked lily'));
      const link = () => t.request('POST', `/api/v1/products/${lily.id}/relationships/suppliers`, { token: shop.accessToken, headers: { 'idempotency-key': `link-${lily.id}` }, body: many('suppliers', [supplier.id]) });
      expect((await link()).status).toBe(204);
      expect((await link()).headers['idempotency-replayed']).toBe('true');
      void one;
    });
  });
});
