import { uuid7 } from '../../src/infra/database/uuid7';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { bouquet, create, flower, many, one } from '../support/catalog-fixtures';
import { type Shop, freshIp, loginDocument, newShop, signupDocument, storeDocument, uniqueEmail } from '../support/fixtures';

const ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';

describe(`JSON:API query parameters, media types and request documents on every kind of route (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => t.request(method, url, { token: shop.accessToken, body, headers });
  const storeCount = async () => (await as('GET', '/api/v1/stores')).body.meta.total as number;
  const supplierOp = { 'atomic:operations': [{ op: 'add', data: { type: 'suppliers', attributes: { name: 'Query op' } } }] };

  /** An acceptance of a fresh invite: when the query is accepted, it sets the invitee's password. */
  const acceptance = async (query: string) => {
    const invited = await as('POST', '/api/v1/employees', { data: { type: 'employees', attributes: { name: 'Route invitee', email: uniqueEmail('invitee'), role: 'florist' } } });
    const body = { data: { type: 'invite-acceptances', attributes: { token: invited.body.data.attributes.inviteToken, password: 'a route password' } } };
    return t.request('POST', `/api/v1/invite-acceptances?${query}`, { body, ip: freshIp() });
  };

  const login = async () => (await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() })).body.data.attributes.accessToken as string;

  /** One request of every kind of route, with `query` appended: reads, writes, relationship writes, and the hand-made routes. */
  async function everyRoute(query: string) {
    const store = await create(t, shop.accessToken, 'stores', { name: 'Route store' });
    const rose = await create(t, shop.accessToken, 'products', flower('Route rose'));
    return [
      ['GET collection', await as('GET', `/api/v1/stores?${query}`)],
      ['GET one', await as('GET', `/api/v1/stores/${store.id}?${query}`)],
      ['GET related', await as('GET', `/api/v1/products/${rose.id}/suppliers?${query}`)],
      ['GET relationship', await as('GET', `/api/v1/products/${rose.id}/relationships/suppliers?${query}`)],
      ['POST', await as('POST', `/api/v1/stores?${query}`, storeDocument({ name: 'Never made' }))],
      ['PATCH', await as('PATCH', `/api/v1/stores/${store.id}?${query}`, { data: { type: 'stores', id: store.id, attributes: { name: 'Never renamed' } } })],
      ['DELETE', await as('DELETE', `/api/v1/stores/${store.id}?${query}`)],
      ['POST relationship', await as('POST', `/api/v1/products/${rose.id}/relationships/suppliers?${query}`, many('suppliers', []))],
      ['PATCH relationship', await as('PATCH', `/api/v1/products/${rose.id}/relationships/suppliers?${query}`, many('suppliers', []))],
      ['DELETE relationship', await as('DELETE', `/api/v1/products/${rose.id}/relationships/suppliers?${query}`, many('suppliers', []))],
      ['POST /operations', await as('POST', `/api/v1/operations?${query}`, supplierOp, { 'content-type': ATOMIC })],
      ['GET /tenants/current', await as('GET', `/api/v1/tenants/current?${query}`)],
      ['POST /signup', await t.request('POST', `/api/v1/signup?${query}`, { body: signupDocument(), ip: freshIp() })],
      ['POST /sessions', await t.request('POST', `/api/v1/sessions?${query}`, { body: loginDocument(shop.email, shop.password), ip: freshIp() })],
      ['POST /invite-acceptances', await acceptance(query)],
      // A session of its own: when the query is accepted, this logs out.
      ['DELETE /sessions/current', await t.request('DELETE', `/api/v1/sessions/current?${query}`, { token: await login() })],
    ] as const;
  }

  describe('query parameter names', () => {
    it.each([['_x'], ['x-'], ['Foo['], ['a@b'], ['foo'], ['include[x]'], ['filter.x']])('refuses ?%s=1 with 400 naming it, on every kind of route, and writes nothing', async (name) => {
      const before = await storeCount();
      const answers = await everyRoute(`${encodeURIComponent(name)}=1`);
      for (const [route, res] of answers) {
        expect({ route, status: res.status, source: res.body?.errors?.[0]?.source }).toEqual({ route, status: 400, source: { parameter: name } });
      }
      // everyRoute made one store of its own; the refused POST made none, the refused DELETE kept it.
      expect(await storeCount()).toBe(before + 1);
    });

    it.each([
      ['x_y=%C3%28', 'x_y'],
      ['x_y=%ED%A0%80', 'x_y'],
      ['include=%zz', 'include'],
      ['traceId=100%', 'traceId'],
      ['x%C3%28y=1', 'x%C3%28y'],
    ])('refuses ?%s, not percent-encoded UTF-8, with 400 naming %s on every kind of route, and writes nothing', async (query, parameter) => {
      const before = await storeCount();
      const answers = await everyRoute(query);
      for (const [route, res] of answers) {
        expect({ route, status: res.status, code: res.body?.errors?.[0]?.code, source: res.body?.errors?.[0]?.source }).toEqual({ route, status: 400, code: 'invalid-query-parameter', source: { parameter } });
      }
      expect(await storeCount()).toBe(before + 1);
    });

    it('refuses a filter value that is not UTF-8 rather than matching nothing, and does not echo it', async () => {
      const res = await as('GET', '/api/v1/employees?filter[email]=%C3%28');
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'invalid-query-parameter', source: { parameter: 'filter[email]' } });
      expect(res.text).not.toContain('%C3%28');
    });

    it.each([
      ['GET', '/api/v1/stores/%C3%28'],
      ['PATCH', '/api/v1/stores/%E0%A4%A'],
      ['DELETE', '/api/v1/stores/%zz'],
      ['POST', '/api/v1/products/%C3%28/relationships/suppliers'],
    ])('answers %s %s, a path that is not percent-encoded UTF-8, with a JSON:API 400, and writes nothing', async (method, url) => {
      const before = await storeCount();
      const res = await as(method, url, method === 'GET' || method === 'DELETE' ? undefined : { data: method === 'PATCH' ? { type: 'stores', attributes: { name: 'Never' } } : [] });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/vnd.api+json');
      expect(res.body.errors[0]).toMatchObject({ code: 'malformed-url', status: '400' });
      expect(await storeCount()).toBe(before);
    });

    it('answers a path id longer than any id of ours with a JSON:API 404, as a malformed id', async () => {
      const res = await as('GET', `/api/v1/stores/${'a'.repeat(120)}`);
      expect({ status: res.status, code: res.body.errors[0].code, type: res.headers['content-type'] }).toEqual({ status: 404, code: 'route-not-found', type: 'application/vnd.api+json' });
    });

    it('ignores implementation-specific parameters with well-formed names', async () => {
      const answers = await everyRoute('traceId=1&x_y=2&camelCase[sub]=3&Öko=4');
      for (const [route, res] of answers) expect({ route, status: res.status, success: res.status < 300 }).toEqual({ route, status: res.status, success: true });
    });
  });

  describe("the specification's parameters, per route", () => {
    it('honours include and fields in the answer of a create and of an update', async () => {
      const { product } = await bouquet(t, shop.accessToken, 'Write include', 1);
      const other = await create(t, shop.accessToken, 'products', flower('Write include extra'));
      const made = await as('POST', '/api/v1/recipe-items?include=component&fields[products]=name', {
        data: { type: 'recipe-items', attributes: { quantity: '2' }, relationships: { composition: one('products', product.id), component: one('products', other.id) } },
      });
      expect(made.status).toBe(201);
      expect(made.body.included).toEqual([expect.objectContaining({ type: 'products', id: other.id, attributes: { name: 'Write include extra' } })]);

      const patched = await as('PATCH', `/api/v1/products/${other.id}?fields[products]=price`, { data: { type: 'products', id: other.id, attributes: { price: 777 } } });
      expect(patched.status).toBe(200);
      expect(patched.body.data.attributes).toEqual({ price: 777 });
      expect(patched.body.data).not.toHaveProperty('relationships');
    });

    it.each([
      ['POST', 'include=nothing', 'include'],
      ['POST', 'sort=name', 'sort'],
      ['POST', 'page[size]=1', 'page[size]'],
      ['POST', 'fields[rocks]=x', 'fields[rocks]'],
    ])('refuses %s /stores?%s with 400 naming %s, and creates nothing', async (method, query, parameter) => {
      const before = await storeCount();
      const res = await as(method, `/api/v1/stores?${query}`, storeDocument({ name: 'Refused' }));
      expect({ status: res.status, source: res.body.errors[0].source }).toEqual({ status: 400, source: { parameter } });
      expect(await storeCount()).toBe(before);
    });

    it('refuses include and fields where the answer has no document: DELETE, relationship writes, operations, signup, sessions, invite acceptances', async () => {
      const store = await create(t, shop.accessToken, 'stores', { name: 'Kept' });
      const rose = await create(t, shop.accessToken, 'products', flower('Unlinked rose'));
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Unlinked supplier' });
      const refused = [
        await as('DELETE', `/api/v1/stores/${store.id}?include=x`),
        await as('DELETE', `/api/v1/stores/${store.id}?fields[stores]=name`),
        await as('POST', `/api/v1/products/${rose.id}/relationships/suppliers?include=suppliers`, many('suppliers', [supplier.id])),
        await as('POST', '/api/v1/operations?include=x', supplierOp, { 'content-type': ATOMIC }),
        await as('POST', '/api/v1/operations?fields[suppliers]=name', supplierOp, { 'content-type': ATOMIC }),
        await t.request('POST', '/api/v1/signup?fields[tenants]=name', { body: signupDocument(), ip: freshIp() }),
        await t.request('POST', '/api/v1/sessions?include=x', { body: loginDocument(shop.email, shop.password), ip: freshIp() }),
        await acceptance('include=x&sort=y'),
      ];
      expect(refused.map((r) => [r.status, r.body.errors[0].code])).toEqual(refused.map(() => [400, 'invalid-query-parameter']));
      expect((await as('GET', `/api/v1/stores/${store.id}`)).status).toBe(200);
      expect((await as('GET', `/api/v1/products/${rose.id}/relationships/suppliers`)).body.data).toEqual([]);
    });

    it('includes the related resources on a relationship endpoint, onwards too; other paths are 400', async () => {
      const { product, parts } = await bouquet(t, shop.accessToken, 'Relationship include', 2);
      const url = `/api/v1/products/${product.id}/relationships/components`;
      const res = await as('GET', `${url}?include=components.component&fields[recipe-items]=quantity`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual(parts.map((p) => ({ type: 'recipe-items', id: p.item.id })));
      const included = res.body.included.map((r: any) => `${r.type}:${r.id}`).sort();
      expect(included).toEqual([...parts.map((p) => `recipe-items:${p.item.id}`), ...parts.map((p) => `products:${p.part.id}`)].sort());
      expect(res.body.included.find((r: any) => r.type === 'recipe-items').attributes).toEqual({ quantity: expect.any(String) });

      const plain = await as('GET', url);
      expect(plain.body).not.toHaveProperty('included');
      for (const query of ['include=suppliers', 'include=nothing', 'sort=quantity']) {
        const bad = await as('GET', `${url}?${query}`);
        expect({ query, status: bad.status, source: bad.body.errors[0].source }).toEqual({ query, status: 400, source: { parameter: query.split('=')[0] } });
      }
    });

    it('refuses fields[...] of a type the API does not have, naming the parameter', async () => {
      const res = await as('GET', '/api/v1/stores?fields[unknown-type]=name');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].source).toEqual({ parameter: 'fields[unknown-type]' });
    });
  });

  describe('media types', () => {
    it.each([['GET'], ['DELETE']])('answers %s with a JSON:API Content-Type carrying another parameter with 415, even without a body', async (method) => {
      const store = await create(t, shop.accessToken, 'stores', { name: 'Media type' });
      const res = await as(method, `/api/v1/stores/${store.id}`, undefined, { 'content-type': 'application/vnd.api+json; charset=utf-8' });
      expect(res.status).toBe(415);
      expect(res.body.errors[0]).toMatchObject({ code: 'unsupported-media-type', source: { header: 'Content-Type' } });
      expect((await as('GET', `/api/v1/stores/${store.id}`)).status).toBe(200);
    });

    it('leaves another Content-Type alone on a request without a body: it describes nothing', async () => {
      expect((await as('GET', '/api/v1/stores', undefined, { 'content-type': 'text/plain' })).status).toBe(200);
    });
  });

  describe('request documents', () => {
    it('ignores members JSON:API does not define, at the top level and in resource objects, as JSON:API 1.1 says servers must', async () => {
      const res = await as('POST', '/api/v1/stores', {
        data: { type: 'stores', attributes: { name: 'Lenient' }, tenantId: uuid7(), color: 'red', '@note': 'x', meta: { from: 'pos' } },
        note: 'top-level, unknown',
        '@context': 'x',
      });
      expect(res.status).toBe(201);
      expect(res.body.data.attributes.name).toBe('Lenient');
      const patched = await as('PATCH', `/api/v1/stores/${res.body.data.id}`, { data: { type: 'stores', id: res.body.data.id, attributes: { name: 'Still lenient' }, extra: true } });
      expect(patched.status).toBe(200);
      expect(patched.body.data.attributes.name).toBe('Still lenient');
      // An attribute the type does not have is not an unknown member of JSON:API: it is refused.
      const unknownAttribute = await as('POST', '/api/v1/stores', { data: { type: 'stores', attributes: { name: 'Strict', color: 'red' } } });
      expect(unknownAttribute.status).toBe(400);
      expect(unknownAttribute.body.errors[0]).toMatchObject({ code: 'unknown-attribute', source: { pointer: '/data/attributes/color' } });
    });

    it('answers a PATCH whose type is not the endpoint’s with 409 pointing at /data/type, changing nothing', async () => {
      const store = await create(t, shop.accessToken, 'stores', { name: 'Typed store' });
      const res = await as('PATCH', `/api/v1/stores/${store.id}`, { data: { type: 'products', id: store.id, attributes: { name: 'Mistyped' } } });
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'type-conflict', source: { pointer: '/data/type' } });
      expect((await as('GET', `/api/v1/stores/${store.id}`)).body.data.attributes.name).toBe('Typed store');
    });
  });
});
