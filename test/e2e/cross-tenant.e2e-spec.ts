import { uuid7 } from '../../src/infra/database/uuid7';
import { type ResourceDefinition, filterOperators, joinsShardTransaction, resourcePath } from '../../src/infra/json-api/resource-definition';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { PROFILE, type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { type Shop, newShop } from '../support/fixtures';
import { FACTORIES } from '../support/resource-fixtures';

const ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';

/** What a client can tell from a refusal: status, code, title; the detail repeats the id the client sent. */
const refusal = (res: TestResponse) => ({ status: res.status, errors: res.body?.errors?.map((e: any) => [e.code, e.title]) });

// Generated from the resource definitions: tenant B tries tenant A's ids on every
// route of every type, and must get exactly what an id that never existed gets.
describe(`one shop never reaches another's data (${PROFILE})`, () => {
  let t: TestApp;
  let a: Shop;
  let b: Shop;
  let resources: Array<{ def: ResourceDefinition }>;
  const aIds = new Map<string, string>();
  const bIds = new Map<string, string>();

  beforeAll(async () => {
    t = await bootApp();
    [a, b] = [await newShop(t), await newShop(t)];
    resources = t.app.get(ResourceRegistry).all();
    for (const { def } of resources) {
      const factory = FACTORIES[def.type];
      if (!factory) continue;
      aIds.set(def.type, await factory(t, a));
      bIds.set(def.type, await factory(t, b));
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const asB = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => t.request(method, url, { token: b.accessToken, body, headers });

  it('has a factory for every resource type (add one in test/support/resource-fixtures.ts)', () => {
    expect(resources.map((r) => r.def.type).filter((type) => !FACTORIES[type])).toEqual([]);
  });

  it("answers B's requests for A's records exactly as for ids that never existed", async () => {
    for (const { def } of resources) {
      const victim = aIds.get(def.type)!;
      const ghost = uuid7();
      const base = `/api/v1/${resourcePath(def)}`;
      const attempts = (id: string): Array<[string, string, unknown?]> => [
        ['GET', `${base}/${id}`],
        ['PATCH', `${base}/${id}`, { data: { type: def.type, id, attributes: {} } }],
        ['DELETE', `${base}/${id}`],
        ...Object.entries(def.relationships ?? {}).flatMap(([name, rel]): Array<[string, string, unknown?]> => {
          const linkage = rel.kind === 'to-many' ? { data: [] } : { data: null };
          return [
            ['GET', `${base}/${id}/relationships/${name}`],
            ['GET', `${base}/${id}/${name}`],
            ['PATCH', `${base}/${id}/relationships/${name}`, linkage],
            ...(rel.kind === 'to-many'
              ? ([
                  ['POST', `${base}/${id}/relationships/${name}`, linkage],
                  ['DELETE', `${base}/${id}/relationships/${name}`, linkage],
                ] as Array<[string, string, unknown?]>)
              : []),
          ];
        }),
      ];
      const onVictim = attempts(victim);
      const onGhost = attempts(ghost);
      for (let i = 0; i < onVictim.length; i++) {
        const [method, url, body] = onVictim[i];
        const real = await asB(method, url, body);
        const missing = await asB(onGhost[i][0], onGhost[i][1], onGhost[i][2]);
        expect({ route: `${method} ${url.replace(victim, ':id')}`, ...refusal(real) }).toEqual({ route: `${method} ${url.replace(victim, ':id')}`, ...refusal(missing) });
        expect(real.status).toBeGreaterThanOrEqual(400);
      }
    }
    // Nothing B tried changed A's records.
    for (const { def } of resources) {
      expect((await t.request('GET', `/api/v1/${resourcePath(def)}/${aIds.get(def.type)}`, { token: a.accessToken })).status).toBe(200);
    }
  });

  it("never shows A's rows to B in a list, a filter, an include or a count", async () => {
    const foreign = [...aIds.values()];
    for (const { def } of resources) {
      const base = `/api/v1/${resourcePath(def)}`;
      const urls = [base, `${base}?include=${Object.entries(def.relationships ?? {}).filter(([, r]) => r.includable).map(([n]) => n).join(',')}`];
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        if (rel.filterable && aIds.has(rel.type)) urls.push(`${base}?filter[${name}]=${aIds.get(rel.type)}`);
      }
      for (const [name, attribute] of Object.entries(def.attributes)) {
        if (attribute.type === 'uuid' && filterOperators(attribute).includes('eq')) urls.push(`${base}?filter[${name}]=${foreign.join(',')}`);
      }
      for (const url of urls.map((u) => u.replace(/\?include=$/, ''))) {
        const res = await asB('GET', url);
        expect({ url, status: res.status }).toEqual({ url, status: 200 });
        // Links echo the filter values B sent; the data, the included resources and the count must not know A.
        const shown = JSON.stringify({ data: res.body.data, included: res.body.included, meta: res.body.meta });
        for (const id of foreign) expect({ url, leaked: shown.includes(id) }).toEqual({ url, leaked: false });
      }
    }
  });

  it("refuses to relate B's records to A's, as if A's did not exist", async () => {
    for (const { def } of resources) {
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        if (!rel.writable || !def.permissions?.update || !aIds.has(rel.type) || !bIds.has(def.type)) continue;
        const url = `/api/v1/${resourcePath(def)}/${bIds.get(def.type)}/relationships/${name}`;
        const linkage = (id: string) => (rel.kind === 'to-many' ? { data: [{ type: rel.type, id }] } : { data: { type: rel.type, id } });
        const real = await asB('PATCH', url, linkage(aIds.get(rel.type)!));
        const missing = await asB('PATCH', url, linkage(uuid7()));
        expect({ url, ...refusal(real) }).toEqual({ url, ...refusal(missing) });
        expect({ url, status: real.status }).toEqual({ url, status: 404 });
      }
    }
  });

  it("refuses A's ids inside B's atomic operations exactly as missing ones", async () => {
    for (const { def } of resources) {
      if (!joinsShardTransaction(def) || !def.permissions?.delete) continue;
      const op = (id: string) => ({ 'atomic:operations': [{ op: 'remove', ref: { type: def.type, id } }] });
      const real = await asB('POST', '/api/v1/operations', op(aIds.get(def.type)!), { 'content-type': ATOMIC });
      const missing = await asB('POST', '/api/v1/operations', op(uuid7()), { 'content-type': ATOMIC });
      expect({ type: def.type, ...refusal(real) }).toEqual({ type: def.type, ...refusal(missing) });
      expect({ type: def.type, status: real.status }).toEqual({ type: def.type, status: 404 });
    }
  });
});
