import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower, many } from '../support/catalog-fixtures';
import { type Shop, newShop, storeDocument } from '../support/fixtures';

const ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';

/**
 * Names every plain JavaScript object answers to (Object.prototype's members):
 * a lookup of client input in a definition's attribute or relationship map must
 * find only what the definition declares.
 */
const BUILT_IN_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

/** An object with an own member `name` (a literal `{ __proto__: x }` would set the prototype instead). */
const withMember = (name: string, value: unknown, rest: Record<string, unknown> = {}) => Object.defineProperty({ ...rest }, name, { value, enumerable: true });

describe(`Built-in JavaScript member names in paths, queries and documents (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let storeId: string;
  let productId: string;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    storeId = (await create(t, shop.accessToken, 'stores', { name: 'Member names' })).id;
    productId = (await create(t, shop.accessToken, 'products', flower('Member names rose'))).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => t.request(method, url, { token: shop.accessToken, body, headers });
  const storeNames = async () => ((await as('GET', '/api/v1/stores?page[size]=100')).body.data as { attributes: { name: string } }[]).map((s) => s.attributes.name).sort();
  const error = (res: { status: number; body: any }) => ({ status: res.status, code: res.body?.errors?.[0]?.code, source: res.body?.errors?.[0]?.source });

  describe.each(BUILT_IN_NAMES)('"%s"', (name) => {
    const segment = encodeURIComponent(name);

    it.each([
      ['GET', 'stores', ''],
      ['GET', 'products', ''],
      ['GET', 'stores', 'relationships/'],
      ['GET', 'products', 'relationships/'],
      ['PATCH', 'products', 'relationships/'],
      ['POST', 'products', 'relationships/'],
      ['DELETE', 'products', 'relationships/'],
    ])('%s /%s/:id/%s<name> is 404: no such relationship', async (method, type, prefix) => {
      const id = type === 'stores' ? storeId : productId;
      const body = method === 'GET' ? undefined : many('suppliers', []);
      const res = await as(method, `/api/v1/${type}/${id}/${prefix}${segment}`, body);
      expect({ ...error(res), detail: res.body.errors[0].detail }).toEqual({ status: 404, code: 'route-not-found', source: undefined, detail: `${type} has no relationship "${name}".` });
    });

    it('is an unknown attribute of a create and of an update (400 pointing at it), and nothing is written', async () => {
      const before = await storeNames();
      const created = await as('POST', '/api/v1/stores', { data: { type: 'stores', attributes: withMember(name, 'x', { name: `Never ${name}` }) } });
      expect(error(created)).toEqual({ status: 400, code: 'unknown-attribute', source: { pointer: `/data/attributes/${name}` } });
      const updated = await as('PATCH', `/api/v1/stores/${storeId}`, { data: { type: 'stores', id: storeId, attributes: withMember(name, 'x', { name: `Never ${name}` }) } });
      expect(error(updated)).toEqual({ status: 400, code: 'unknown-attribute', source: { pointer: `/data/attributes/${name}` } });
      expect(await storeNames()).toEqual(before);
    });

    it('is an unknown relationship of a create and of an update (400 pointing at it), and nothing is written', async () => {
      const before = await storeNames();
      const linkage = { data: { type: 'stores', id: storeId } };
      const created = await as('POST', '/api/v1/stores', { data: { type: 'stores', attributes: { name: `Never ${name}` }, relationships: withMember(name, linkage) } });
      expect(error(created)).toEqual({ status: 400, code: 'unknown-relationship', source: { pointer: `/data/relationships/${name}` } });
      const updated = await as('PATCH', `/api/v1/stores/${storeId}`, { data: { type: 'stores', id: storeId, attributes: { name: `Never ${name}` }, relationships: withMember(name, linkage) } });
      expect(error(updated)).toEqual({ status: 400, code: 'unknown-relationship', source: { pointer: `/data/relationships/${name}` } });
      expect(await storeNames()).toEqual(before);
    });

    it.each([
      ['sort', (n: string) => `sort=${n}`],
      ['sort', (n: string) => `sort=-${n}`],
      ['include', (n: string) => `include=${n}`],
      ['fields[stores]', (n: string) => `fields[stores]=${n}`],
      ['filter[<name>]', (n: string) => `filter[${n}]=x`],
      ['filter[name][<name>]', (n: string) => `filter[name][${n}]=x`],
      ['fields[<name>]', (n: string) => `fields[${n}]=name`],
    ])('in %s is 400 naming the parameter', async (_label, query) => {
      const q = query(segment);
      const res = await as('GET', `/api/v1/stores?${q}`);
      expect(error(res)).toEqual({ status: 400, code: 'invalid-query-parameter', source: { parameter: decodeURIComponent(q.split('=')[0]) } });
    });

    it('names no relationship of an atomic operation (ref or href) and no type: 400 pointing at it, nothing written', async () => {
      const before = await storeNames();
      const add = { op: 'add', data: { type: 'stores', attributes: { name: `Atomic ${name}` } } };
      const batches: [unknown, string][] = [
        [{ op: 'update', ref: { type: 'products', id: productId, relationship: name }, data: [] }, '/atomic:operations/1/ref/relationship'],
        [{ op: 'update', href: `/api/v1/products/${productId}/relationships/${name}`, data: [] }, '/atomic:operations/1/href'],
        [{ op: 'add', data: { type: name, attributes: {} } }, '/atomic:operations/1/data/type'],
        [{ op: 'add', data: { type: 'stores', attributes: withMember(name, 'x', { name: 'x' }) } }, `/atomic:operations/1/data/attributes/${name}`],
      ];
      for (const [operation, pointer] of batches) {
        const res = await as('POST', '/api/v1/operations', { 'atomic:operations': [add, operation] }, { 'content-type': ATOMIC });
        expect({ status: res.status, pointer: res.body.errors?.[0]?.source?.pointer }).toEqual({ status: 400, pointer });
      }
      expect(await storeNames()).toEqual(before);
    });
  });

  it('still finds the members the definitions declare', async () => {
    const res = await as('GET', `/api/v1/products/${productId}/relationships/suppliers?include=suppliers`);
    expect(res.status).toBe(200);
    expect((await as('POST', '/api/v1/stores', storeDocument({ name: 'Declared' }))).status).toBe(201);
  });
});
