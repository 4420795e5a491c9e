import { CACHE_MANAGER } from '@nestjs/cache-manager';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { type Observable, from, lastValueFrom } from 'rxjs';
import { UUID_PATTERN } from '../database/uuid7';
import { inStoreScope } from '../tenancy/request-context';
import { cacheKeys } from './cache-keys';
import { CacheVersions, withDeadline } from './cache-versions';

export interface CachedReadOptions {
  /** Names the data in keys and versions, e.g. "stock". */
  namespace: string;
  /**
   * 'store': store-bound data; a request is cached only when it names exactly one
   * store in `filter[store]`, and that store's version guards it. 'tenant': one
   * version for the tenant's data.
   */
  scope: 'store' | 'tenant';
  /** Tenant-wide tags whose versions also guard the document (e.g. "catalog" for included products). */
  dependsOn?: readonly string[];
  /** The document differs by role (attributes shown to some roles only): the role joins the key. */
  byRole?: boolean;
}

/** What is kept per key: the versions it was built under, and the response. */
interface Entry {
  v: string;
  s: number;
  t: string;
  b: string;
}

interface Loaded {
  status: number;
  type: string;
  body: string;
  /** False when the response said `Cache-Control: no-store` (it holds decrypted personal data). */
  storable: boolean;
}

interface Plan {
  entryKey: string;
  versionKeys: string[];
}

const CACHED_READ = 'bloomdesk:cached-read';
/** Entries whose versions moved on are garbage; this only bounds how long they take up memory. */
const ENTRY_TTL_MS = 3600_000;

/**
 * Serves cached reads: one round trip reads the entry and its versions; an
 * entry built under the current versions is the answer; otherwise the handler
 * loads, once for all concurrent requests of the same key (single flight), and
 * the result is stored under the versions read before loading. If the cache is
 * down or slow, the handler answers every request and nothing fails.
 */
@Injectable()
export class CachedReads {
  private readonly logger = new Logger(CachedReads.name);
  private readonly flights = new Map<string, Promise<Loaded>>();
  /** Off: every read goes to the database (benchmarks compare the two). */
  enabled = true;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly versions: CacheVersions,
  ) {}

  plan(request: FastifyRequest, options: CachedReadOptions): Plan | undefined {
    const ctx = request.ctx;
    if (!ctx || !this.enabled) return undefined;
    const query = (request.query ?? {}) as Record<string, unknown>;
    let scope = cacheKeys.tenantScope(ctx.tenantId);
    let version = cacheKeys.tenantVersion(ctx.tenantId, options.namespace);
    if (options.scope === 'store') {
      const store = query['filter[store]'];
      // A store outside the caller's scope reads as empty from the database; never from another's cached copy.
      if (typeof store !== 'string' || !UUID_PATTERN.test(store) || !inStoreScope(ctx, store)) return undefined;
      scope = cacheKeys.storeScope(ctx.tenantId, store);
      version = cacheKeys.storeVersion(ctx.tenantId, store, options.namespace);
    }
    // Includes may reach attributes some roles may not read: such documents are kept per role.
    const byRole = options.byRole || query.include !== undefined;
    const hash = createHash('sha256').update(request.url).digest('base64url').slice(0, 22);
    return {
      entryKey: `${scope}:${options.namespace}:${byRole ? `r:${ctx.role}:` : ''}${hash}`,
      versionKeys: [version, ...(options.dependsOn ?? []).map((tag) => cacheKeys.tenantVersion(ctx.tenantId, tag))],
    };
  }

  async serve(plan: Plan, reply: FastifyReply, load: () => Promise<Loaded>): Promise<string> {
    const tag = await this.currentVersions(plan).catch(() => undefined);
    if (tag === undefined) return this.answer(reply, await load(), 'bypass', false);
    const { entry, versions } = tag;
    if (entry?.v === versions) return this.answer(reply, { status: entry.s, type: entry.t, body: entry.b, storable: true }, 'hit', true);

    const flightKey = `${plan.entryKey}|${versions}`;
    let flight = this.flights.get(flightKey);
    const leader = flight === undefined;
    if (!flight) {
      flight = load()
        .then(async (loaded) => {
          if (loaded.storable && loaded.status === 200) await this.store(plan.entryKey, { v: versions, s: loaded.status, t: loaded.type, b: loaded.body });
          return loaded;
        })
        .finally(() => this.flights.delete(flightKey));
      this.flights.set(flightKey, flight);
    }
    const loaded = await flight;
    return this.answer(reply, loaded, leader ? 'miss' : 'shared', !leader);
  }

  private async currentVersions(plan: Plan): Promise<{ entry?: Entry; versions: string } | undefined> {
    if (!this.versions.available) return undefined;
    const [entry, ...versions] = await withDeadline(this.cache.mget<unknown>([plan.entryKey, ...plan.versionKeys]));
    for (let i = 0; i < versions.length; i++) {
      if (typeof versions[i] !== 'string') versions[i] = await this.versions.create(plan.versionKeys[i]);
    }
    // Redis went away during the read: its undefineds are not a miss to build on.
    if (!this.versions.available) return undefined;
    return { entry: entry as Entry | undefined, versions: versions.join(',') };
  }

  private async store(key: string, entry: Entry): Promise<void> {
    try {
      await withDeadline(this.cache.set(key, entry, ENTRY_TTL_MS));
    } catch {
      this.logger.debug('cache store failed; the next read loads again');
    }
  }

  private answer(reply: FastifyReply, loaded: Loaded, outcome: 'hit' | 'miss' | 'shared' | 'bypass', setHeaders: boolean): string {
    if (setHeaders) reply.status(loaded.status).header('content-type', loaded.type);
    reply.header('x-cache', outcome);
    return loaded.body;
  }
}

/** The one interceptor behind every cached read; routes opt in with `@CachedRead(...)`. */
@Injectable()
export class CachedReadInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly reads: CachedReads,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<CachedReadOptions | undefined>(CACHED_READ, context.getHandler());
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const plan = options && this.reads.plan(request, options);
    if (!plan) return next.handle();
    const load = async (): Promise<Loaded> => {
      const document = await lastValueFrom(next.handle());
      const cacheControl = String(reply.getHeader('cache-control') ?? '');
      return {
        status: reply.statusCode,
        type: String(reply.getHeader('content-type') ?? 'application/json'),
        body: typeof document === 'string' ? document : JSON.stringify(document),
        storable: !/no-store|private/.test(cacheControl),
      };
    };
    return from(this.reads.serve(plan, reply, load));
  }
}

/**
 * Serves a GET route through the shared read cache (Redis on the services
 * profile, in process on the embedded one). Keys carry the tenant (and the
 * store for `scope: 'store'`); writers move the matching version after their
 * commit with `CacheVersions.touchStore/touchTenant`. The response must be the
 * same for every caller with the same tenant, store, URL (and role, with
 * `byRole` or an `include`); a response with `Cache-Control: no-store` is served but not kept.
 *
 * @example
 * @Get() @CachedRead({ namespace: 'stock', scope: 'store', dependsOn: ['catalog'] })
 * list(...) { ... }
 */
export const CachedRead = (options: CachedReadOptions) => applyDecorators(SetMetadata(CACHED_READ, options), UseInterceptors(CachedReadInterceptor));
