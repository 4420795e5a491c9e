import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import type { Limit } from './rate-limiter';
import { RateLimiter } from './rate-limiter';
import type { RedisConnection } from './redis-connection';

const LOGIN: Limit = { scope: 'login:fail', max: 5, windowSeconds: 900 };
const SIGNUP: Limit = { scope: 'signup:ip', max: 20, windowSeconds: 3600 };
const config = (tokenSecret = 'a server secret of 32 characters.') => ({ auth: { tokenSecret } }) as AppConfig;

/** A services-profile connection (a client is configured) whose every command fails, as while Redis is down. */
function downRedis() {
  const run = jest.fn(async () => {
    throw new Error('redis not ready');
  });
  return { redis: { client: {}, ready: false, run } as unknown as RedisConnection, run };
}

describe(RateLimiter.name, () => {
  let warnings: jest.SpyInstance;
  beforeEach(() => (warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warnings.mockRestore());

  describe('while Redis is down', () => {
    it('counts in memory, so the limit is reached after max hits', async () => {
      const { redis, run } = downRedis();
      const sut = new RateLimiter(redis, config());
      const counts: number[] = [];
      for (let i = 0; i < LOGIN.max + 2; i++) counts.push((await sut.hit(LOGIN, 'email-index')).count);
      expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(counts.filter((c) => c > LOGIN.max)).toHaveLength(2);
      // Redis was asked each time: the fallback is per call, so it ends when Redis is back.
      expect(run).toHaveBeenCalledTimes(LOGIN.max + 2);
      const last = await sut.hit(LOGIN, 'email-index');
      expect(last.retryAfter).toBeGreaterThan(0);
      expect(last.retryAfter).toBeLessThanOrEqual(LOGIN.windowSeconds);
    });

    it('keeps subjects and scopes apart', async () => {
      const sut = new RateLimiter(downRedis().redis, config());
      await sut.hit(LOGIN, 'a');
      await sut.hit(LOGIN, 'a');
      expect((await sut.hit(LOGIN, 'b')).count).toBe(1);
      expect((await sut.hit(SIGNUP, 'a')).count).toBe(1);
    });

    it('clears the in-memory count on reset', async () => {
      const sut = new RateLimiter(downRedis().redis, config());
      for (let i = 0; i < LOGIN.max; i++) await sut.hit(LOGIN, 'email-index');
      await expect(sut.reset(LOGIN, 'email-index')).resolves.toBeUndefined();
      expect((await sut.hit(LOGIN, 'email-index')).count).toBe(1);
    });

    it('logs the fallback once per scope per window, never the subject', async () => {
      const sut = new RateLimiter(downRedis().redis, config());
      for (let i = 0; i < 10; i++) await sut.hit(LOGIN, `subject-${i}`);
      await sut.hit(SIGNUP, '10.1.2.3');
      const lines = warnings.mock.calls.map((c) => String(c[0]));
      expect(lines).toEqual([
        "rate limit login:fail: redis unavailable, counting in this instance's memory",
        "rate limit signup:ip: redis unavailable, counting in this instance's memory",
      ]);
    });

    it('logs again once a window has passed', async () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
      try {
        const sut = new RateLimiter(downRedis().redis, config());
        await sut.hit(LOGIN, 'x');
        now.mockReturnValue(1_000_000 + LOGIN.windowSeconds * 1000 - 1);
        await sut.hit(LOGIN, 'x');
        expect(warnings).toHaveBeenCalledTimes(1);
        now.mockReturnValue(1_000_000 + LOGIN.windowSeconds * 1000);
        await sut.hit(LOGIN, 'x');
        expect(warnings).toHaveBeenCalledTimes(2);
      } finally {
        now.mockRestore();
      }
    });
  });

  it('clears both counts on reset: the Redis key too, when Redis answers', async () => {
    const del = jest.fn().mockResolvedValue(1);
    let up = false;
    const run = jest.fn(async (command: (c: unknown) => Promise<unknown>) => {
      if (!up) throw new Error('redis not ready');
      return command({ del });
    });
    const sut = new RateLimiter({ client: {}, run } as unknown as RedisConnection, config());
    await sut.hit(LOGIN, 'email-index');
    up = true;
    await sut.reset(LOGIN, 'email-index');
    expect(del).toHaveBeenCalledWith(expect.stringMatching(/^global:rl:login:fail:/));
    up = false;
    expect((await sut.hit(LOGIN, 'email-index')).count).toBe(1);
  });

  it('keys a subject by an HMAC under the server secret, so an address cannot be found again by hashing every IPv4 address', async () => {
    const keys: string[] = [];
    const run = jest.fn(async (command: (c: unknown) => Promise<unknown>) => {
      const multi = { incr: (key: string) => (keys.push(key), multi), pExpire: () => multi, pTTL: () => multi, exec: async () => [1, 1, 900_000] };
      return command({ multi: () => multi });
    });
    const redis = { client: {}, run } as unknown as RedisConnection;
    const ip = '203.0.113.7';

    await new RateLimiter(redis, config()).hit(SIGNUP, ip);
    await new RateLimiter(redis, config()).hit(SIGNUP, ip);
    await new RateLimiter(redis, config('another server secret, 32 chars.')).hit(SIGNUP, ip);

    const plainHash = createHash('sha256').update(ip).digest('base64url').slice(0, 22);
    expect(keys[0]).toMatch(/^global:rl:signup:ip:[\w-]{22}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys.join()).not.toContain(plainHash);
    expect(keys.join()).not.toContain(ip);
  });
});
