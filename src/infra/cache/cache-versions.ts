import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { randomUUID } from 'node:crypto';
import { ShardRegistry } from '../database/shard-registry';
import type { RequestContext } from '../tenancy/request-context';
import { cacheKeys } from './cache-keys';
import { RedisConnection } from './redis-connection';

/** No cache call may hold a request up longer than this; past it, the cache counts as down. */
export const CACHE_DEADLINE_MS = 250;

export function withDeadline<T>(work: Promise<T>, ms = CACHE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('cache deadline')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Versions of cached data: one per store and namespace ("stock") and one per
 * tenant-wide tag ("catalog"). A cached document records the versions it was
 * built under and is served only while they are current, so moving a version
 * (a fresh random value, never reused) makes the next read on every instance
 * load afresh; no TTL guesses freshness. Writers call `touch...` inside their
 * transaction; the version moves after the commit, before the write answers.
 *
 * If Redis is down when a version should move, the move is kept and made as
 * soon as Redis is back; meanwhile reads bypass the cache.
 *
 * @example
 * versions.touchStore(txCtx, storeId, 'stock'); // in a transaction that changes stock
 */
@Injectable()
export class CacheVersions implements OnModuleInit {
  private readonly logger = new Logger(CacheVersions.name);
  private readonly unsent = new Set<string>();
  /** Keys already queued per transaction: many writes in one transaction move each version once. */
  private readonly queued = new WeakMap<object, Set<string>>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly redis: RedisConnection,
    private readonly shards: ShardRegistry,
  ) {}

  onModuleInit(): void {
    this.redis.client?.on('ready', () => void this.resend());
  }

  /** Whether the cache can be used now: always in process; on Redis, while connected. */
  get available(): boolean {
    return this.redis.client === null || this.redis.ready;
  }

  touchStore(ctx: Pick<RequestContext, 'tenantId' | 'afterCommit'>, storeId: string, namespace: string): Promise<void> {
    return this.afterCommit(ctx, cacheKeys.storeVersion(ctx.tenantId, storeId, namespace));
  }

  touchTenant(ctx: Pick<RequestContext, 'tenantId' | 'afterCommit'>, tag: string): Promise<void> {
    return this.afterCommit(ctx, cacheKeys.tenantVersion(ctx.tenantId, tag));
  }

  /** In a transaction: once, after it commits (before the write answers). Outside one: now. */
  private async afterCommit(ctx: Pick<RequestContext, 'afterCommit'>, key: string): Promise<void> {
    if (!ctx.afterCommit) return this.move(key);
    let keys = this.queued.get(ctx.afterCommit);
    if (!keys) this.queued.set(ctx.afterCommit, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    this.shards.afterCommit(ctx, () => this.move(key));
  }

  /** A fresh version for a key that has none (never set, or evicted): never a constant, or an old entry could match again. */
  async create(key: string): Promise<string> {
    const version = randomUUID();
    await withDeadline(this.cache.set(key, version));
    return version;
  }

  private async move(key: string): Promise<void> {
    if (!this.available) {
      this.unsent.add(key);
      return;
    }
    try {
      await withDeadline(this.cache.set(key, randomUUID()));
    } catch {
      this.unsent.add(key);
    }
  }

  private async resend(): Promise<void> {
    const keys = [...this.unsent];
    this.unsent.clear();
    if (keys.length) this.logger.log(`redis is back: moving ${keys.length} cache version(s) held during the outage`);
    for (const key of keys) await this.move(key);
  }
}
