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
import { withDeadline } from './redis-connection';
import { type VersionDatabase, VersionOutbox, shardVersions } from './version-outbox';
import { VersionStore } from './version-store';

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
  body: string | Buffer;
  /** False when the response said `Cache-Control: no-store` (it holds decrypted personal data). */
  storable: boolean;
}

interface Plan {
  /** The tenant's shard, whose outbox of version moves must be reconciled before its versions are trusted. */
  database: VersionDatabase;
  entryKey: string;
  versionKeys: string[];
}

const CACHED_READ = 'bloomdesk:cached-read';
const FEED_PARAMETERS = ['filter[updatedSince]', 'page[after]', 'page[before]'];
/** Entries whose versions moved on are garbage; this only bounds how long they take up memory. */
const ENTRY_TTL_MS = 3600_000;
/** The in-process copies: at most this many documents and bytes (least recently used go first). */
const LOCAL_ENTRIES = 2000;
const LOCAL_BYTES = 64 * 1024 * 1024;

/** A copy held in process, its body already encoded: served only while its versions are current in the shared cache. */
interface LocalEntry {
  v: string;
  s: number;
  t: string;
  b: Buffer;
}

/**
 * Serves cached reads. Every read asks the shared cache (Redis) for the current
 * versions of what the document shows; a copy built under exactly those
 * versions is the answer: from this process's memory when it holds one (so a
 * hit moves a few dozen bytes from Redis, not the document), else from the
 * shared cache. Otherwise the handler loads, once for all concurrent requests of
 * the same key (single flight), and the result is stored under the versions read
 * before loading. Single flight is per process: N instances missing the same
 * key at once load it up to N times. If the cache is down or slow, or this
 * instance may have missed a version move (`VersionOutbox.trusted`), the handler
 * answers every request (the in-process copies too are unusable then: nothing can
 * vouch for them) and nothing fails.
 */
@Injectable()
export class CachedReads {
  private readonly logger = new Logger(CachedReads.name);
  private readonly flights = new Map<string, Promise<Loaded>>();
  private readonly local = new Map<string, LocalEntry>();
  private readonly urlHashes = new Map<string, string>();
  private localBytes = 0;
  /** Off: every read goes to the database (benchmarks compare the two). */
  enabled = true;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly outbox: VersionOutbox,
    private readonly versions: VersionStore,
  ) {}

  plan(request: FastifyRequest, options: CachedReadOptions): Plan | undefined {
    const ctx = request.ctx;
    if (!ctx || !this.enabled) return undefined;
    const query = (request.query ?? {}) as Record<string, unknown>;
    // A feed page is read once per device and cursor, so keeping it only takes memory; and a feed may hold back
    // the latest changes until they have settled, which no version move would announce.
    if (FEED_PARAMETERS.some((name) => query[name] !== undefined)) return undefined;
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
    const hash = this.urlHash(request.url);
    return {
      database: shardVersions(ctx.shardId),
      entryKey: `${scope}:${options.namespace}:${byRole ? `r:${ctx.role}:` : ''}${hash}`,
      versionKeys: [version, ...(options.dependsOn ?? []).map((tag) => cacheKeys.tenantVersion(ctx.tenantId, tag))],
    };
  }

  /** The key part naming the URL; a hot read repeats the same few URLs, so their hashes are kept (bounded). */
  private urlHash(url: string): string {
    let hash = this.urlHashes.get(url);
    if (hash === undefined) {
      hash = createHash('sha256').update(url).digest('base64url').slice(0, 22);
      if (this.urlHashes.size >= LOCAL_ENTRIES) this.urlHashes.clear();
      this.urlHashes.set(url, hash);
    }
    return hash;
  }

  async serve(plan: Plan, reply: FastifyReply, load: () => Promise<Loaded>): Promise<string | Buffer> {
    const held = this.local.get(plan.entryKey);
    const current = await this.currentVersions(plan, held === undefined).catch(() => undefined);
    if (current === undefined) return this.answer(reply, await load(), 'bypass', false);
    const { versions } = current;
    if (held?.v === versions) {
      // Most recently used last, so eviction takes the coldest.
      this.local.delete(plan.entryKey);
      this.local.set(plan.entryKey, held);
      return this.answer(reply, { status: held.s, type: held.t, body: held.b, storable: true }, 'hit', true);
    }
    const entry = held === undefined ? current.entry : await this.shared(plan.entryKey);
    if (entry?.v === versions) return this.answer(reply, this.keep(plan.entryKey, entry), 'hit', true);

    const flightKey = `${plan.entryKey}|${versions}`;
    let flight = this.flights.get(flightKey);
    const leader = flight === undefined;
    if (!flight) {
      flight = load()
        .then(async (loaded) => {
          if (loaded.storable && loaded.status === 200) {
            const fresh = { v: versions, s: loaded.status, t: loaded.type, b: String(loaded.body) };
            await this.store(plan.entryKey, fresh);
            this.keep(plan.entryKey, fresh);
          }
          return loaded;
        })
        .finally(() => this.flights.delete(flightKey));
      this.flights.set(flightKey, flight);
    }
    const loaded = await flight;
    return this.answer(reply, loaded, leader ? 'miss' : 'shared', !leader);
  }

  /** The versions now current, and (when asked) the shared entry, at once. */
  private async currentVersions(plan: Plan, withEntry: boolean): Promise<{ entry?: Entry; versions: string } | undefined> {
    const trusted = this.outbox.trusted(plan.database);
    if (trusted !== true && !(await trusted)) return undefined;
    const [versions, entry] = withEntry ? await Promise.all([this.versions.read(plan.versionKeys), this.shared(plan.entryKey)]) : [await this.versions.read(plan.versionKeys)];
    // Redis went away during the read: an entry it did not return is not a miss to build on.
    if (!this.versions.ready) return undefined;
    return { entry, versions: versions.join(',') };
  }

  private async shared(key: string): Promise<Entry | undefined> {
    return (await withDeadline(this.cache.get<Entry>(key)).catch(() => undefined)) ?? undefined;
  }

  /** Holds a copy in process, encoded once, within the size limits. */
  private keep(key: string, entry: Entry): Loaded {
    const body = Buffer.from(entry.b);
    const previous = this.local.get(key);
    if (previous) this.localBytes -= previous.b.length;
    this.local.delete(key);
    this.local.set(key, { v: entry.v, s: entry.s, t: entry.t, b: body });
    this.localBytes += body.length;
    for (const [oldest, held] of this.local) {
      if (this.local.size <= LOCAL_ENTRIES && this.localBytes <= LOCAL_BYTES) break;
      this.local.delete(oldest);
      this.localBytes -= held.b.length;
    }
    return { status: entry.s, type: entry.t, body, storable: true };
  }

  private async store(key: string, entry: Entry): Promise<void> {
    try {
      await withDeadline(this.cache.set(key, entry, ENTRY_TTL_MS));
    } catch {
      this.logger.debug('cache store failed; the next read loads again');
    }
  }

  private answer(reply: FastifyReply, loaded: Loaded, outcome: 'hit' | 'miss' | 'shared' | 'bypass', setHeaders: boolean): string | Buffer {
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
