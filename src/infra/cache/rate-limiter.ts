import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RedisConnection } from './redis-connection';

export interface Limit {
  /** e.g. 'signup:ip' */
  scope: string;
  max: number;
  windowSeconds: number;
}

export interface LimitState {
  count: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

/**
 * Fixed-window counters for rate limits: in Redis on the services profile (shared
 * by every instance), in memory on the embedded one. The subject (an IP, an
 * e-mail's blind index) is hashed before it becomes a key. These keys precede
 * any tenant (signup, login), so they live under `global:`.
 *
 * If Redis is unreachable or slow the limiter counts in memory instead, as the
 * embedded profile does: per instance, so N instances allow up to N times the
 * limit, but a login is never open to unlimited guesses while Redis is down.
 * The two do not share counts: once Redis answers again, its counters decide again.
 * The fallback is logged once per scope per window, not once per request.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly memory = new Map<string, { count: number; resetAt: number }>();
  /** When each scope last logged that it counts in memory. */
  private readonly fallbackLogged = new Map<string, number>();

  constructor(
    private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts one hit and returns the count in the current window. */
  async hit(limit: Limit, subject: string): Promise<LimitState> {
    const key = this.key(limit, subject);
    const windowMs = limit.windowSeconds * 1000;
    if (!this.redis.client) return this.memoryHit(key, windowMs);
    try {
      const [count, ttl] = await this.redis.run(async (c) => {
        const replies = await c.multi().incr(key).pExpire(key, windowMs, 'NX').pTTL(key).exec();
        return [Number(replies[0]), Number(replies[2])];
      });
      return { count, retryAfter: Math.max(1, Math.ceil(ttl / 1000)) };
    } catch {
      this.logFallback(limit, windowMs);
      return this.memoryHit(key, windowMs);
    }
  }

  /** Clears the subject's count in both places: a hit may have landed in either. */
  async reset(limit: Limit, subject: string): Promise<void> {
    const key = this.key(limit, subject);
    this.memory.delete(key);
    if (this.redis.client) await this.redis.run((c) => c.del(key)).catch(() => undefined);
  }

  private key(limit: Limit, subject: string): string {
    return `global:rl:${limit.scope}:${createHmac('sha256', this.config.auth.tokenSecret).update(`rate limit\n${subject}`).digest('base64url').slice(0, 22)}`;
  }

  private logFallback(limit: Limit, windowMs: number): void {
    const now = Date.now();
    const last = this.fallbackLogged.get(limit.scope);
    if (last !== undefined && now - last < windowMs) return;
    this.fallbackLogged.set(limit.scope, now);
    this.logger.warn(`rate limit ${limit.scope}: redis unavailable, counting in this instance's memory`);
  }

  private memoryHit(key: string, windowMs: number): LimitState {
    const now = Date.now();
    if (this.memory.size > 100_000) {
      for (const [k, v] of this.memory) if (v.resetAt <= now) this.memory.delete(k);
    }
    let entry = this.memory.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      this.memory.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, retryAfter: Math.ceil((entry.resetAt - now) / 1000) };
  }
}
