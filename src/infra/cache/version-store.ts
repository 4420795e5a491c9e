import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CACHE_DEADLINE_MS, RedisConnection } from './redis-connection';

/**
 * The versions that guard cached copies (read-cache documents, principals): plain
 * strings in Redis on the services profile, shared by every instance, and a map in
 * process on the embedded one. A version is a random value, never reused: moving it
 * makes every copy built under the old one unusable on every instance, and a key
 * with no version (never set, or evicted) gets a fresh one, never a constant an old
 * copy could match again.
 *
 * Read and written with the raw Redis client rather than the cache store: a hit
 * reads two or three of these per request, and the store's serialisation and
 * swallowed errors cost more than the round trip and would hide a failed move.
 *
 * `epoch` counts the moments this instance may have missed or lost a move: each
 * (re)connection to Redis (moves made while it was away were recorded only in
 * the databases' outboxes) and each move that failed. `VersionOutbox` trusts the
 * versions of a database again only once it has reconciled that database's outbox
 * in the current epoch.
 */
@Injectable()
export class VersionStore {
  private readonly memory = new Map<string, string>();
  private currentEpoch = 0;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly redis: RedisConnection) {
    redis.client?.on('ready', () => this.suspect());
  }

  /** Whether other instances read these versions too (Redis). */
  get shared(): boolean {
    return this.redis.client !== null;
  }

  /** Whether versions can be read and moved now: always in process; on Redis, while connected. */
  get ready(): boolean {
    return !this.shared || this.redis.ready;
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  /** Called (synchronously) whenever the epoch moves. */
  onSuspect(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The current versions of `keys`, making one for each key that has none. Rejects when Redis cannot answer. */
  async read(keys: readonly string[]): Promise<string[]> {
    if (!this.shared) return keys.map((key) => this.memory.get(key) ?? this.setInMemory(key));
    const values = await this.redis.run((c) => c.mGet(keys as string[]), CACHE_DEADLINE_MS);
    if (values.every((v) => typeof v === 'string')) return values as string[];
    const replies = await this.redis.run((c) => {
      const batch = c.multi();
      // Set only where still missing: an instance that made one first keeps its value, and both read the same.
      keys.forEach((key, i) => {
        if (typeof values[i] !== 'string') batch.set(key, randomUUID(), { condition: 'NX' });
      });
      return batch.mGet(keys as string[]).exec();
    }, CACHE_DEADLINE_MS);
    const created = replies[replies.length - 1] as unknown as Array<string | null>;
    if (!created.every((v) => typeof v === 'string')) throw new Error('cache versions vanished while being made');
    return created as string[];
  }

  /** Gives `keys` fresh versions. False when they may not have moved (Redis unreachable or slow): the epoch moves. */
  async move(keys: readonly string[]): Promise<boolean> {
    if (!keys.length) return true;
    if (!this.shared) {
      for (const key of keys) this.setInMemory(key);
      return true;
    }
    try {
      await this.redis.run((c) => c.mSet(keys.map((key) => [key, randomUUID()] as [string, string])), CACHE_DEADLINE_MS);
      return true;
    } catch {
      this.suspect();
      return false;
    }
  }

  private setInMemory(key: string): string {
    const version = randomUUID();
    this.memory.set(key, version);
    return version;
  }

  private suspect(): void {
    this.currentEpoch++;
    for (const listener of this.listeners) listener();
  }
}
