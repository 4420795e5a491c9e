import { uuid7 } from '../../src/infra/database/uuid7';
import { type AttributeDefinition, filterOperators, joinsShardTransaction, resourcePath } from '../../src/infra/json-api/resource-definition';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, newShop } from '../support/fixtures';

// Generated from the resource definitions: a new resource type is covered here without
// anyone writing a line, and a definition that promises what the server cannot do fails.

const sample = (a: AttributeDefinition): string =>
  ({
    string: 'x',
    integer: '1',
    decimal: '1.5',
    boolean: 'true',
    datetime: '2026-03-08T09:00:00Z',
    date: '2026-03-08',
    uuid: uuid7(),
    enum: a.enum?.[0] ?? 'x',
  })[a.type];

const malformed: Partial<Record<AttributeDefinition['type'], string>> = {
  integer: '1.5',
  decimal: 'lots',
  boolean: 'maybe',
  datetime: 'yesterday',
  date: '08.03.2026',
  uuid: 'not-a-uuid',
  enum: 'not-a-member',
};

describe(`every resource definition, as the server serves it (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let resources: ReturnType<ResourceRegistry['all']>;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    resources = t.app.get(ResourceRegistry).all();
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string) => t.request('GET', url, { token: shop.accessToken });

  it('registers the resource types the API promises', () => {
    expect(resources.map((r) => r.def.type)).toEqual(expect.arrayContaining(['stores', 'tenants', 'products', 'recipe-items', 'suppliers']));
  });

  it('serves every collection with every sort, filter, include and an empty fieldset', async () => {
    for (const { def } of resources) {
      const base = `/api/v1/${resourcePath(def)}`;
      const urls = [base, `${base}?fields[${def.type}]=`];
      for (const [name, a] of Object.entries(def.attributes)) {
        if (a.sortable) urls.push(`${base}?sort=${name}`, `${base}?sort=-${name}`);
        for (const op of filterOperators(a)) urls.push(`${base}?filter[${name}]${op === 'eq' ? '' : `[${op}]`}=${encodeURIComponent(sample(a))}`);
      }
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        if (rel.includable) urls.push(`${base}?include=${name}`);
        if (rel.filterable) urls.push(`${base}?filter[${name}]=${uuid7()}`);
      }
      if (def.feed) urls.push(`${base}?filter[updatedSince]=2026-01-01T00:00:00Z&page[size]=1`);
      for (const url of urls) {
        const res = await get(url);
        expect({ url, status: res.status }).toEqual({ url, status: 200 });
        if (url.includes('include=')) expect(res.body.included).toEqual(expect.any(Array));
      }
    }
  });

  it('refuses every malformed filter value with 400 naming the parameter', async () => {
    for (const { def } of resources) {
      for (const [name, a] of Object.entries(def.attributes)) {
        const bad = malformed[a.type];
        if (!bad) continue;
        for (const op of filterOperators(a)) {
          const parameter = `filter[${name}]${op === 'eq' ? '' : `[${op}]`}`;
          const res = await get(`/api/v1/${resourcePath(def)}?${parameter}=${encodeURIComponent(bad)}`);
          expect({ parameter, status: res.status, source: res.body.errors?.[0]?.source }).toEqual({ parameter, status: 400, source: { parameter } });
        }
      }
    }
  });

  it('answers 404 for an unknown id on every resource, relationship and related route', async () => {
    const id = uuid7();
    for (const { def } of resources) {
      const base = `/api/v1/${resourcePath(def)}/${id}`;
      const urls = [base, ...Object.keys(def.relationships ?? {}).flatMap((rel) => [`${base}/relationships/${rel}`, `${base}/${rel}`])];
      for (const url of urls) expect({ url, status: (await get(url)).status }).toEqual({ url, status: 404 });
    }
  });

  it('lets into an atomic batch exactly the types whose writes all go through the shard transaction', async () => {
    const atomic = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';
    const refused: string[] = [];
    for (const { def } of resources) {
      const res = await t.request('POST', '/api/v1/operations', {
        token: shop.accessToken,
        headers: { 'content-type': atomic },
        body: { 'atomic:operations': [{ op: 'remove', ref: { type: def.type, id: uuid7() } }] },
      });
      const outOfBatch = res.status === 400 && res.body.errors[0].source?.pointer === '/atomic:operations/0/ref/type';
      expect({ type: def.type, refused: outOfBatch }).toEqual({ type: def.type, refused: !joinsShardTransaction(def) });
      if (outOfBatch) refused.push(def.type);
    }
    expect(refused).toEqual(expect.arrayContaining(['tenants', 'employees', 'device-tokens', 'integration-secrets']));
  });

  it('never shows a foreign key or the tenant as an attribute', async () => {
    for (const { def } of resources) {
      const names = Object.keys(def.attributes);
      expect(names.filter((n) => /Id$|^tenant/i.test(n))).toEqual([]);
    }
  });
});
