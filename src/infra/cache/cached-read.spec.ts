import { Keyv } from '@keyv/redis';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Controller, Get } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createCache } from 'cache-manager';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/app-config';
import type { CatalogDatabase } from '../database/catalog-database';
import type { ShardRegistry } from '../database/shard-registry';
import type { RequestContext } from '../tenancy/request-context';
import type { RedisConnection } from './redis-connection';
import { CacheVersions } from './cache-versions';
import { CachedRead, CachedReadInterceptor, CachedReads } from './cached-read';
import { VersionOutbox } from './version-outbox';
import { VersionStore } from './version-store';

const tenant = '01a2142f-0000-7000-8000-000000000001';
const store = '01a2142f-0000-7000-8000-0000000000aa';
/** A writer outside a transaction: its version moves are made at once. */
const writer = { tenantId: tenant, shardId: 'a' };

/** Versions in process, as on the embedded profile (no Redis, no outbox). */
function inProcessVersions() {
  const versionStore = new VersionStore({ client: null, ready: false } as unknown as RedisConnection);
  const outbox = new VersionOutbox({ cacheOutboxPollMs: 1000 } as AppConfig, versionStore, { dataSource: {} } as CatalogDatabase, {} as ShardRegistry);
  return { versionStore, outbox, versions: new CacheVersions(outbox) };
}

function request(url: string, query: Record<string, string>, role = 'owner'): FastifyRequest {
  return { url, query, ctx: { tenantId: tenant, role, storeIds: role === 'owner' ? 'all' : [store] } } as unknown as FastifyRequest;
}

function reply() {
  const headers: Record<string, string> = {};
  const r = { statusCode: 200, headers, status: (s: number) => ((r.statusCode = s), r), header: (k: string, v: string) => ((headers[k] = v), r) };
  return r as typeof r & FastifyReply;
}

describe(CachedReads.name, () => {
  const cache = createCache({ stores: [new Keyv() as never] });
  const { versionStore, outbox, versions } = inProcessVersions();
  const sut = new CachedReads(cache, outbox, versionStore);
  const options = { namespace: 'stock', scope: 'store' as const, dependsOn: ['catalog'] };
  const url = `/api/v1/stock-levels?filter[store]=${store}`;

  it('keys a read by tenant, store and URL, and guards it with the store’s and the tags’ versions', () => {
    const plan = sut.plan(request(url, { 'filter[store]': store }), options)!;
    expect(plan.entryKey).toMatch(new RegExp(`^t:${tenant}:s:${store}:stock:[\\w-]{22}$`));
    expect(plan.versionKeys).toEqual([`t:${tenant}:s:${store}:stock:version`, `t:${tenant}:catalog:version`]);
  });

  it('adds the role to the key when the document can differ by role', () => {
    const withInclude = sut.plan(request(`${url}&include=product`, { 'filter[store]': store, include: 'product' }, 'florist'), options)!;
    expect(withInclude.entryKey).toContain(`:stock:r:florist:`);
    expect(sut.plan(request(url, { 'filter[store]': store }, 'florist'), { ...options, byRole: true })!.entryKey).toContain(':r:florist:');
  });

  it('does not cache what names no single store, or a store outside the caller’s', () => {
    expect(sut.plan(request('/api/v1/stock-levels', {}), options)).toBeUndefined();
    const elsewhere = '01a2142f-0000-7000-8000-0000000000bb';
    expect(sut.plan(request('/x', { 'filter[store]': elsewhere }, 'florist'), options)).toBeUndefined();
    expect(sut.plan(request('/x', { 'filter[store]': elsewhere }, 'owner'), options)).toBeDefined();
    expect(sut.plan(request('/x', { 'filter[store]': `${store},${store}` }), options)).toBeUndefined();
  });

  it('does not cache the pages of a changes feed', () => {
    expect(sut.plan(request('/x', { 'filter[store]': store, 'filter[updatedSince]': '2026-03-01T00:00:00Z' }), options)).toBeUndefined();
    expect(sut.plan(request('/x', { 'filter[store]': store, 'page[after]': 'MTc2' }), options)).toBeUndefined();
    expect(sut.plan(request('/x', { 'filter[store]': store, 'page[before]': 'MTc2' }), options)).toBeUndefined();
  });

  it('loads once, serves the copy until a version moves, then loads again', async () => {
    const plan = sut.plan(request(url, { 'filter[store]': store }), options)!;
    let loads = 0;
    const load = async () => ({ status: 200, type: 'application/vnd.api+json', body: `{"n":${++loads}}`, storable: true });
    const first = reply();
    expect(String(await sut.serve(plan, first, load))).toBe('{"n":1}');
    const second = reply();
    expect(String(await sut.serve(plan, second, load))).toBe('{"n":1}');
    expect([first.headers['x-cache'], second.headers['x-cache'], second.headers['content-type']]).toEqual(['miss', 'hit', 'application/vnd.api+json']);
    await versions.touchStore(writer, store, 'stock');
    expect(String(await sut.serve(plan, reply(), load))).toBe('{"n":2}');
    await versions.touchTenant(writer, 'catalog');
    expect(String(await sut.serve(plan, reply(), load))).toBe('{"n":3}');
  });

  it('serves its in-process copy only under the current versions, taking a fresher one another instance stored', async () => {
    const other = new CachedReads(cache, outbox, versionStore);
    const plan = sut.plan(request(`${url}&y=1`, { 'filter[store]': store }), options)!;
    let loads = 0;
    const load = async () => ({ status: 200, type: 't', body: `v${++loads}`, storable: true });
    expect(String(await sut.serve(plan, reply(), load))).toBe('v1');
    await versions.touchStore(writer, store, 'stock');
    const there = reply();
    expect([String(await other.serve(plan, there, load)), there.headers['x-cache']]).toEqual(['v2', 'miss']);
    const here = reply();
    expect([String(await sut.serve(plan, here, load)), here.headers['x-cache']]).toEqual(['v2', 'hit']);
    expect(loads).toBe(2);
  });

  it('shares one load among concurrent misses and keeps nothing marked no-store', async () => {
    const plan = sut.plan(request(`${url}&x=1`, { 'filter[store]': store }), options)!;
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return { status: 200, type: 't', body: 'secret', storable: false };
    };
    const replies = Array.from({ length: 5 }, reply);
    await Promise.all(replies.map((r) => sut.serve(plan, r, load)));
    expect(loads).toBe(1);
    expect(replies.map((r) => r.headers['x-cache']).sort()).toEqual(['miss', 'shared', 'shared', 'shared', 'shared']);
    await sut.serve(plan, reply(), load);
    expect(loads).toBe(2);
  });
});

/** A hand-written route, not a generated resource controller, that opts in with the decorator. */
@Controller('probe')
class ProbeController {
  loads = 0;

  @Get()
  @CachedRead({ namespace: 'probe', scope: 'tenant' })
  read() {
    return { loads: ++this.loads };
  }
}

describe(CachedRead.name, () => {
  const cache = createCache({ stores: [new Keyv() as never] });
  const { versionStore, outbox, versions } = inProcessVersions();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [
        { provide: CACHE_MANAGER, useValue: cache },
        { provide: VersionStore, useValue: versionStore },
        { provide: VersionOutbox, useValue: outbox },
        CachedReads,
        CachedReadInterceptor,
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    // What the auth guard does in the application: the caller's context on the request.
    app.getHttpAdapter().getInstance().addHook('onRequest', async (request) => {
      request.ctx = { tenantId: tenant, shardId: 'a', role: 'owner', storeIds: 'all' } as unknown as RequestContext;
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves any GET route it decorates from the shared cache, fresh after its version moves', async () => {
    const read = async () => {
      const res = await app.inject({ method: 'GET', url: '/probe' });
      return [res.statusCode, res.headers['x-cache'], res.json().loads];
    };
    expect(await read()).toEqual([200, 'miss', 1]);
    expect(await read()).toEqual([200, 'hit', 1]);
    await versions.touchTenant(writer, 'probe');
    expect(await read()).toEqual([200, 'miss', 2]);
    expect(await read()).toEqual([200, 'hit', 2]);
    expect(app.get(ProbeController).loads).toBe(2);
  });
});
