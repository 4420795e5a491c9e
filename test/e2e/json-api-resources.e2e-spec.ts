import { uuid7 } from '../../src/infra/database/uuid7';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { bouquet, create, flower, many, one } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';

const CURSOR_PROFILE = 'https://jsonapi.org/profiles/ethanresnick/cursor-pagination';

describe(`JSON:API resources: includes, fieldsets, relationships, filters, feeds (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let get: (url: string) => ReturnType<TestApp['request']>;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    get = (url) => t.request('GET', url, { token: shop.accessToken });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('compound documents', () => {
    it('includes nested paths with full linkage and each resource once', async () => {
      const { product, parts } = await bouquet(t, shop.accessToken, 'Spring', 3);
      const res = await get(`/api/v1/products/${product.id}?include=components.component,components`);

      expect(res.status).toBe(200);
      const linkage = res.body.data.relationships.components.data;
      expect(linkage).toEqual(parts.map(({ item }) => ({ type: 'recipe-items', id: item.id })));
      const included = res.body.included.map((r: any) => `${r.type}:${r.id}`);
      expect(new Set(included).size).toBe(included.length);
      expect(included.sort()).toEqual(
        [...parts.map(({ item }) => `recipe-items:${item.id}`), ...parts.map(({ part }) => `products:${part.id}`)].sort(),
      );
      const items = res.body.included.filter((r: any) => r.type === 'recipe-items');
      expect(items.map((i: any) => i.relationships.component.data.id).sort()).toEqual(parts.map(({ part }) => part.id).sort());
      expect(items[0].relationships.composition).toEqual({
        links: {
          self: `/api/v1/recipe-items/${items[0].id}/relationships/composition`,
          related: `/api/v1/recipe-items/${items[0].id}/composition`,
        },
        data: { type: 'products', id: product.id },
      });
    });

    it('answers included: [] when an include matches nothing', async () => {
      const lonely = await create(t, shop.accessToken, 'products', flower('Lonely tulip'));
      const res = await get(`/api/v1/products/${lonely.id}?include=components,suppliers`);
      expect(res.body.included).toEqual([]);
      expect(res.body.data.relationships.suppliers.data).toEqual([]);
    });

    it('loads includes with one query per relationship level, however many records', async () => {
      const own = await newShop(t);
      for (let i = 0; i < 2; i++) await bouquet(t, own.accessToken, `Small ${i}`, 1);
      const count = async (url: string) => {
        const ds = await t.app.get(ShardRegistry).dataSource(await shardOf(t, own.tenantId));
        // MySQL makes a runner per connection: spy on their class. The embedded profile has one
        // runner, whose own query (it takes statements in turn) holds the class's, bound: spy on it.
        const runner = ds.driver.createQueryRunner('master') as unknown as { query: (...args: unknown[]) => Promise<unknown> };
        const spy = jest.spyOn(Object.hasOwn(runner, 'query') ? runner : (Object.getPrototypeOf(runner) as typeof runner), 'query');
        const res = await t.request('GET', url, { token: own.accessToken });
        // This shop's reads only: the app's background jobs (outbox reconciliation, sweeps) query the shard too.
        const selects = spy.mock.calls.filter(([sql, params]) => /^\s*SELECT/i.test(String(sql)) && Array.isArray(params) && params.includes(own.tenantId)).length;
        spy.mockRestore();
        expect(res.status).toBe(200);
        return { selects, rows: res.body.data.length };
      };
      const url = '/api/v1/products?filter[kind]=composition&include=components.component,suppliers&page[size]=50';
      const few = await count(url);
      for (let i = 0; i < 8; i++) await bouquet(t, own.accessToken, `More ${i}`, 3);
      const lots = await count(url);
      expect(few.rows).toBe(2);
      expect(lots.rows).toBe(10);
      expect(lots.selects).toBe(few.selects);
      expect(few.selects).toBeGreaterThanOrEqual(4);
      expect(lots.selects).toBeLessThanOrEqual(7);
    });

    it('refuses an include path that does not exist, with 400 naming include', async () => {
      for (const include of ['nothing', 'components.nothing', 'suppliers.products.components.component']) {
        const res = await get(`/api/v1/products?include=${include}`);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].source).toEqual({ parameter: 'include' });
      }
    });
  });

  describe('sparse fieldsets', () => {
    it('returns only the fields asked for, per type, and none for an empty list', async () => {
      const { product } = await bouquet(t, shop.accessToken, 'Sparse', 1);
      const res = await get(`/api/v1/products/${product.id}?include=components&fields[products]=name,components&fields[recipe-items]=quantity`);
      expect(res.body.data.attributes).toEqual({ name: 'Sparse' });
      expect(Object.keys(res.body.data.relationships)).toEqual(['components']);
      expect(res.body.included[0].attributes).toEqual({ quantity: '3' });
      expect(res.body.included[0]).not.toHaveProperty('relationships');

      const bare = await get(`/api/v1/products/${product.id}?fields[products]=`);
      expect(bare.body.data).not.toHaveProperty('attributes');
      expect(bare.body.data).not.toHaveProperty('relationships');
      expect(bare.body.data.id).toBe(product.id);
    });
  });

  describe('sorting and filtering', () => {
    it('sorts by several fields with - for descending', async () => {
      const own = await newShop(t);
      await create(t, own.accessToken, 'products', { ...flower('B rose', 200) });
      await create(t, own.accessToken, 'products', { ...flower('A rose', 100) });
      await create(t, own.accessToken, 'products', { name: 'Ruscus', kind: 'greenery', unit: 'stem', price: 300 });
      const res = await t.request('GET', '/api/v1/products?sort=kind,-price', { token: own.accessToken });
      expect(res.body.data.map((p: any) => p.attributes.name)).toEqual(['B rose', 'A rose', 'Ruscus']);
    });

    it('filters by equality (comma = any of), by range operators and by relationship', async () => {
      const own = await newShop(t);
      const cheap = await create(t, own.accessToken, 'products', flower('Cheap', 5000));
      await create(t, own.accessToken, 'products', flower('Middle', 15000));
      const dear = await create(t, own.accessToken, 'products', flower('Dear', 90000));
      const range = await t.request('GET', '/api/v1/products?filter[price][gte]=10000&filter[price][lte]=20000', { token: own.accessToken });
      expect(range.body.data.map((p: any) => p.attributes.name)).toEqual(['Middle']);
      const anyOf = await t.request('GET', `/api/v1/products?filter[name]=Cheap,Dear`, { token: own.accessToken });
      expect(anyOf.body.data.map((p: any) => p.id).sort()).toEqual([cheap.id, dear.id].sort());

      const { product, parts } = await bouquet(t, own.accessToken, 'Filtered', 2);
      const items = await t.request('GET', `/api/v1/recipe-items?filter[composition]=${product.id}`, { token: own.accessToken });
      expect(items.body.data.map((i: any) => i.id).sort()).toEqual(parts.map((p) => p.item.id).sort());
      expect(items.body.meta.total).toBe(2);
    });

    it.each([
      ['filter[price][gte]=cheap', 'filter[price][gte]'],
      ['filter[price][between]=1', 'filter[price][between]'],
      ['filter[kind]=tree', 'filter[kind]'],
      ['filter[composition]=not-a-uuid', 'filter[composition]'],
      ['filter[updatedSince]=yesterday', 'filter[updatedSince]'],
      ['sort=unit', 'sort'],
      ['page[size]=201', 'page[size]'],
      ['includes=components', 'includes'],
    ])('answers ?%s with 400 naming the parameter', async (query, parameter) => {
      const res = await get(`/api/v1/products?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].source).toEqual({ parameter });
    });
  });

  describe('relationship and related endpoints', () => {
    it('reads, adds to, removes from and replaces a writable to-many relationship', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Relationship rose'));
      const [a, b, c] = [await create(t, shop.accessToken, 'suppliers', { name: 'Alpha' }), await create(t, shop.accessToken, 'suppliers', { name: 'Beta' }), await create(t, shop.accessToken, 'suppliers', { name: 'Gamma' })];
      const url = `/api/v1/products/${rose.id}/relationships/suppliers`;
      const ids = async () => (await get(url)).body.data.map((r: any) => r.id).sort();

      expect((await t.request('POST', url, { token: shop.accessToken, body: many('suppliers', [a.id, b.id]) })).status).toBe(204);
      expect(await ids()).toEqual([a.id, b.id].sort());
      expect((await t.request('POST', url, { token: shop.accessToken, body: many('suppliers', [b.id]) })).status).toBe(204);
      expect(await ids()).toEqual([a.id, b.id].sort());
      expect((await t.request('DELETE', url, { token: shop.accessToken, body: many('suppliers', [a.id]) })).status).toBe(204);
      expect(await ids()).toEqual([b.id]);
      expect((await t.request('PATCH', url, { token: shop.accessToken, body: many('suppliers', [c.id, a.id]) })).status).toBe(204);
      expect(await ids()).toEqual([a.id, c.id].sort());
      expect((await t.request('PATCH', url, { token: shop.accessToken, body: many('suppliers', []) })).status).toBe(204);
      expect(await ids()).toEqual([]);

      const document = await get(url);
      expect(document.body.links).toEqual({ self: url, related: `/api/v1/products/${rose.id}/suppliers` });
    });

    it('serves related resources, to-many and to-one', async () => {
      const { product, parts } = await bouquet(t, shop.accessToken, 'Related', 2);
      const related = await get(`/api/v1/products/${product.id}/components?include=component`);
      expect(related.status).toBe(200);
      expect(related.body.data.map((i: any) => i.id)).toEqual(parts.map((p) => p.item.id));
      expect(related.body.included.map((p: any) => p.id).sort()).toEqual(parts.map((p) => p.part.id).sort());

      const toOne = await get(`/api/v1/recipe-items/${parts[0].item.id}/composition`);
      expect(toOne.body.data).toMatchObject({ type: 'products', id: product.id, attributes: { name: 'Related' } });
    });

    it('changes a writable to-one relationship and refuses one that is not writable with 403', async () => {
      const { product, parts } = await bouquet(t, shop.accessToken, 'Swap', 1);
      const other = await create(t, shop.accessToken, 'products', flower('Swapped in'));
      const url = `/api/v1/recipe-items/${parts[0].item.id}/relationships/component`;
      expect((await t.request('PATCH', url, { token: shop.accessToken, body: one('products', other.id) })).status).toBe(204);
      expect((await get(url)).body.data).toEqual({ type: 'products', id: other.id });

      const readOnly = await t.request('PATCH', `/api/v1/products/${product.id}/relationships/components`, { token: shop.accessToken, body: many('recipe-items', []) });
      expect(readOnly.status).toBe(403);
      expect(readOnly.body.errors[0].code).toBe('read-only-relationship');
      const toOneAdd = await t.request('POST', url, { token: shop.accessToken, body: one('products', other.id) });
      expect(toOneAdd.status).toBe(403);
    });

    it('answers 404 for a relationship that does not exist and for a related id of another tenant', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Guarded'));
      expect((await get(`/api/v1/products/${rose.id}/relationships/nothing`)).status).toBe(404);
      const intruder = await newShop(t);
      const theirs = await create(t, intruder.accessToken, 'suppliers', { name: 'Not yours' });
      const res = await t.request('POST', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken, body: many('suppliers', [theirs.id]) });
      expect(res.status).toBe(404);
      expect(res.body.errors[0]).toMatchObject({ code: 'related-not-found', source: { pointer: '/data/0' } });
      expect((await get(`/api/v1/products/${rose.id}/relationships/suppliers`)).body.data).toEqual([]);
    });
  });

  describe('creating and updating', () => {
    it('creates with a client-generated id, answering 201 with Location; 409 when the id exists', async () => {
      const id = uuid7();
      const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', id, attributes: { name: 'Offline supplier' } } } });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/api/v1/suppliers/${id}`);
      expect(res.body.data.id).toBe(id);
      const again = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', id, attributes: { name: 'Twice' } } } });
      expect(again.status).toBe(409);
      expect(again.body.errors[0]).toMatchObject({ code: 'id-taken', source: { pointer: '/data/id' } });
    });

    it.each([
      ['version 4', '3f0c8a1e-5b7d-4c2a-9e6f-1a2b3c4d5e6f', '4'],
      ['version 1', 'c232ab00-9414-11ec-b3c8-9f6bdeced846', '1'],
      ['version 8', '0190a1b2-0000-8000-8000-0000000000aa', '8'],
    ])('refuses a client-generated id of %s with 400 at /data/id (ids are UUIDv7), alone or in a batch, and writes nothing', async (_label, id, version) => {
      const names = async () => (await get('/api/v1/suppliers?page[size]=100')).body.data.map((s: any) => s.attributes.name);
      const before = await names();
      const refused = {
        status: '400',
        code: 'invalid-document',
        detail: `A client-generated id must be a UUIDv7 (RFC 9562, time-ordered); this one is version ${version}. Generate ids with a UUIDv7 library.`,
      };
      const single = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', id, attributes: { name: `Not v7 ${version}` } } } });
      expect([single.status, single.body.errors[0]]).toMatchObject([400, { ...refused, source: { pointer: '/data/id' } }]);
      const batch = await t.request('POST', '/api/v1/operations', {
        token: shop.accessToken,
        headers: { 'content-type': 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"' },
        body: {
          'atomic:operations': [
            { op: 'add', data: { type: 'suppliers', attributes: { name: `Batch v7 ${version}` } } },
            { op: 'add', data: { type: 'suppliers', id: id.toUpperCase(), attributes: { name: `Batch not v7 ${version}` } } },
          ],
        },
      });
      expect([batch.status, batch.body.errors[0]]).toMatchObject([400, { ...refused, source: { pointer: '/atomic:operations/1/data/id' } }]);
      expect(await names()).toEqual(before);
      expect((await get(`/api/v1/suppliers/${id}`)).status).toBe(404);
    });

    it('answers 404 naming the member for a related resource that does not exist', async () => {
      const ghost = uuid7();
      const composition = await create(t, shop.accessToken, 'products', { name: 'Ghost bouquet', kind: 'composition', unit: 'piece', price: 1 });
      const res = await t.request('POST', '/api/v1/recipe-items', {
        token: shop.accessToken,
        body: { data: { type: 'recipe-items', attributes: { quantity: '1' }, relationships: { composition: one('products', composition.id), component: one('products', ghost) } } },
      });
      expect(res.status).toBe(404);
      expect(res.body.errors[0]).toMatchObject({ code: 'related-not-found', source: { pointer: '/data/relationships/component/data' } });
    });

    it('answers 409 for linkage of the wrong type and 403 for a relationship clients cannot set', async () => {
      const composition = await create(t, shop.accessToken, 'products', { name: 'Typed', kind: 'composition', unit: 'piece', price: 1 });
      const wrongType = await t.request('POST', '/api/v1/recipe-items', {
        token: shop.accessToken,
        body: { data: { type: 'recipe-items', attributes: { quantity: '1' }, relationships: { composition: one('products', composition.id), component: one('suppliers', uuid7()) } } },
      });
      expect(wrongType.status).toBe(409);
      expect(wrongType.body.errors[0].source.pointer).toBe('/data/relationships/component/data/type');
      const readOnly = await t.request('PATCH', `/api/v1/products/${composition.id}`, {
        token: shop.accessToken,
        body: { data: { type: 'products', id: composition.id, relationships: { components: many('recipe-items', []) } } },
      });
      expect(readOnly.status).toBe(403);
    });

    it('leaves members a PATCH does not name untouched', async () => {
      const rose = await create(t, shop.accessToken, 'products', { ...flower('Patchy', 12000), sku: 'PATCH-1' });
      const res = await t.request('PATCH', `/api/v1/products/${rose.id}`, { token: shop.accessToken, body: { data: { type: 'products', id: rose.id, attributes: { price: 13000 } } } });
      expect(res.status).toBe(200);
      expect(res.body.data.attributes).toMatchObject({ name: 'Patchy', sku: 'PATCH-1', price: 13000, kind: 'flower', shelfLifeDays: 7 });
    });
  });

  describe('feeds by cursor', () => {
    it('pages products changed since a time by cursor, forwards and backwards, under the profile', async () => {
      const own = await newShop(t);
      const since = new Date(Date.now() - 1000).toISOString();
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await create(t, own.accessToken, 'products', flower(`Feed ${i}`)));
      const read = (url: string) => t.request('GET', url, { token: own.accessToken });

      const first = await read(`/api/v1/products?filter[updatedSince]=${since}&page[size]=2`);
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe(`application/vnd.api+json; profile="${CURSOR_PROFILE}"`);
      expect(first.body.data.map((p: any) => p.id)).toEqual(made.slice(0, 2).map((p) => p.id));
      expect(first.body.data[0].meta.page.cursor).toEqual(expect.any(String));
      expect(first.body.links.prev).toBeNull();
      expect(first.body).not.toHaveProperty('meta');
      const second = await read(first.body.links.next);
      expect(second.body.data.map((p: any) => p.id)).toEqual(made.slice(2, 4).map((p) => p.id));
      const third = await read(second.body.links.next);
      expect(third.body.data.map((p: any) => p.id)).toEqual([made[4].id]);
      expect(third.body.links.next).toBeNull();
      const back = await read(third.body.links.prev);
      expect(back.body.data.map((p: any) => p.id)).toEqual(made.slice(2, 4).map((p) => p.id));

      await t.request('PATCH', `/api/v1/products/${made[0].id}`, { token: own.accessToken, body: { data: { type: 'products', id: made[0].id, attributes: { price: 1 } } } });
      const resumed = await read(third.body.links.self.replace(/page%5Bafter%5D=[^&]+/, `page%5Bafter%5D=${third.body.data[0].meta.page.cursor}`));
      expect(resumed.body.data.map((p: any) => p.id)).toEqual([made[0].id]);
    });

    it('answers the cursor profile errors with their type links', async () => {
      const cursor = Buffer.from(`${Date.now()}.${uuid7()}`).toString('base64url');
      const both = await get(`/api/v1/products?page[after]=${cursor}&page[before]=${cursor}`);
      expect(both.status).toBe(400);
      expect(both.body.errors[0].links).toEqual({ type: `${CURSOR_PROFILE}/range-pagination-not-supported` });
      const big = await get(`/api/v1/products?page[after]=${cursor}&page[size]=1000`);
      expect(big.body.errors[0]).toMatchObject({ links: { type: `${CURSOR_PROFILE}/max-size-exceeded` }, meta: { page: { maxSize: 200 } }, source: { parameter: 'page[size]' } });
      for (const query of [`page[after]=${cursor}&sort=name`, 'filter[updatedSince]=2026-01-01T00:00:00Z&sort=-updatedAt']) {
        const sorted = await get(`/api/v1/products?${query}`);
        expect({ query, status: sorted.status, error: sorted.body.errors[0] }).toMatchObject({ query, status: 400, error: { links: { type: `${CURSOR_PROFILE}/unsupported-sort` }, source: { parameter: 'sort' } } });
      }
      // The profile's invalid-parameter-value error names the parameter and defines no type link.
      const forged = await get('/api/v1/products?page[after]=bm90LWEtY3Vyc29y');
      expect(forged.status).toBe(400);
      expect(forged.body.errors[0].source).toEqual({ parameter: 'page[after]' });
      expect(forged.body.errors[0]).not.toHaveProperty('links');
      for (const size of ['0', '-1', 'ten']) {
        const bad = await get(`/api/v1/products?filter[updatedSince]=2026-01-01T00:00:00Z&page[size]=${size}`);
        expect({ size, status: bad.status, source: bad.body.errors[0].source, links: bad.body.errors[0].links }).toEqual({ size, status: 400, source: { parameter: 'page[size]' }, links: undefined });
      }
      const notFeed = await get(`/api/v1/recipe-items?page[after]=${cursor}`);
      expect(notFeed.status).toBe(400);
    });
  });
});
