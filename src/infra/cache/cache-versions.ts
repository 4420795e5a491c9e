import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { ShardRegistry } from '../database/shard-registry';
import { uuid7 } from '../database/uuid7';
import type { RequestContext } from '../tenancy/request-context';
import { cacheKeys } from './cache-keys';
import { CacheVersionMove } from './cache-version-move';
import { RedisConnection } from './redis-connection';

/** No cache call may hold a request up longer than this; past it, the cache counts as down. */
export const CACHE_DEADLINE_MS = 250;
/** Outbox rows a reader settles at once; more (a long outage's backlog) take the next reads. */
const SETTLE_BATCH = 100;

export function withDeadline<T>(work: Promise<T>, ms = CACHE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('cache deadline')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

type WriterCtx = Pick<RequestContext, 'tenantId' | 'shardId' | 'tx' | 'afterCommit'>;
type ReaderCtx = Pick<RequestContext, 'tenantId' | 'shardId'>;

/** The version moves one transaction owes: its keys, and the outbox rows that record them. */
interface Owed {
  keys: Set<string>;
  rows: CacheVersionMove[];
}

/**
 * Versions of cached data: one per store and namespace ("stock") and one per
 * tenant-wide tag ("catalog"). A cached document records the versions it was
 * built under and is served only while they are current, so moving a version
 * (a fresh random value, never reused) makes the next read on every instance
 * load afresh; no TTL guesses freshness. Writers call `touch...` inside their
 * transaction; the version moves after the commit, before the write answers.
 *
 * With Redis, a move can fail after the commit (this instance cannot reach Redis,
 * or dies first) while other instances still read the old version from Redis.
 * So each move is also recorded in the shard (`cache_version_moves`) in the
 * writer's transaction, and the row is deleted only once Redis holds the new
 * version. A reader first looks there (`settle`): a row means Redis may be
 * behind the database, so the reader moves the version itself and loads fresh.
 * The price is one indexed read of a nearly empty table on the shard per
 * cached read. In process (embedded profile) a move cannot fail and there is no
 * other instance: no outbox.
 *
 * @example
 * versions.touchStore(txCtx, storeId, 'stock'); // in a transaction that changes stock
 */
@Injectable()
export class CacheVersions {
  private readonly logger = new Logger(CacheVersions.name);
  /** What each open transaction owes, by its after-commit list: many writes in one transaction move each version once. */
  private readonly owed = new WeakMap<object, Owed>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly redis: RedisConnection,
    private readonly shards: ShardRegistry,
  ) {}

  /** Whether the cache can be used now: always in process; on Redis, while connected. */
  get available(): boolean {
    return this.redis.client === null || this.redis.ready;
  }

  /** Whether other instances share the versions (Redis), so a lost move could leave one of them stale. */
  private get shared(): boolean {
    return this.redis.client !== null;
  }

  touchStore(ctx: WriterCtx, storeId: string, namespace: string): Promise<void> {
    return this.touch(ctx, cacheKeys.storeVersion(ctx.tenantId, storeId, namespace));
  }

  touchTenant(ctx: WriterCtx, tag: string): Promise<void> {
    return this.touch(ctx, cacheKeys.tenantVersion(ctx.tenantId, tag));
  }

  /**
   * Before a reader trusts the versions in Redis: makes the moves that the shard
   * still records for these keys (their writer could not reach Redis, or has not
   * yet), and answers whether Redis's versions may be trusted now.
   */
  async settle(ctx: ReaderCtx, keys: readonly string[]): Promise<boolean> {
    if (!this.shared) return true;
    const em = await this.shards.manager({ shardId: ctx.shardId });
    const rows: Array<{ id: string; versionKey: string }> = await em.query(
      `SELECT id, version_key AS versionKey FROM cache_version_moves WHERE tenant_id = ? AND version_key IN (${keys.map(() => '?').join(', ')}) LIMIT ${SETTLE_BATCH}`,
      [ctx.tenantId, ...keys],
    );
    if (!rows.length) return true;
    const wanted = [...new Set(rows.map((r) => r.versionKey))];
    if ((await this.move(wanted)).size < wanted.length) return false;
    await this.forget(ctx, rows.map((r) => r.id));
    return true;
  }

  /** A fresh version for a key that has none (never set, or evicted): never a constant, or an old entry could match again. */
  async create(key: string): Promise<string> {
    const version = randomUUID();
    await withDeadline(this.cache.set(key, version));
    return version;
  }

  /** In a transaction: recorded in it, moved once after it commits (before the write answers). Outside one: now. */
  private async touch(ctx: WriterCtx, key: string): Promise<void> {
    if (!ctx.tx || !ctx.afterCommit) {
      await this.move([key]);
      return;
    }
    let owed = this.owed.get(ctx.afterCommit);
    if (!owed) {
      const fresh: Owed = (owed = { keys: new Set(), rows: [] });
      this.owed.set(ctx.afterCommit, fresh);
      this.shards.afterCommit(ctx, () => this.release(ctx, fresh));
    }
    if (owed.keys.has(key)) return;
    owed.keys.add(key);
    if (!this.shared) return;
    const row: CacheVersionMove = { tenantId: ctx.tenantId, id: uuid7(), versionKey: key, createdAt: new Date() };
    await ctx.tx.insert(CacheVersionMove, row);
    owed.rows.push(row);
  }

  /** After the commit: moves the versions, and drops the outbox rows of those Redis now holds. */
  private async release(ctx: ReaderCtx, owed: Owed): Promise<void> {
    const moved = await this.move([...owed.keys]);
    const done = owed.rows.filter((row) => moved.has(row.versionKey)).map((row) => row.id);
    if (done.length) await this.forget(ctx, done);
  }

  /** Gives the keys fresh versions; answers those that certainly moved. */
  private async move(keys: string[]): Promise<Set<string>> {
    if (!keys.length || !this.available) return new Set();
    const values = keys.map(() => randomUUID());
    try {
      await withDeadline(this.cache.mset(keys.map((key, i) => ({ key, value: values[i] }))));
      if (!this.shared) return new Set(keys);
      // The Redis store swallows errors (a cache outage must fail no request): only reading the values back proves the move.
      const seen = await withDeadline(this.cache.mget<string>(keys));
      return new Set(keys.filter((_, i) => seen[i] === values[i]));
    } catch {
      return new Set();
    }
  }

  private async forget(ctx: ReaderCtx, ids: string[]): Promise<void> {
    try {
      await (await this.shards.manager({ shardId: ctx.shardId })).delete(CacheVersionMove, { tenantId: ctx.tenantId, id: In(ids) });
    } catch {
      // The rows stay and the next read moves those versions once more: one more miss, never a stale hit.
      this.logger.warn(`could not clear ${ids.length} settled cache version move(s)`);
    }
  }
}
