import KeyvRedis, { Keyv } from '@keyv/redis';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { CacheVersions } from './cache-versions';
import { CachedReadInterceptor, CachedReads } from './cached-read';
import { RateLimiter } from './rate-limiter';
import { RedisConnection } from './redis-connection';
import { VersionOutbox } from './version-outbox';
import { VersionStore } from './version-store';

/**
 * The cache: Redis through `@keyv/redis` on the services profile, an in-process
 * Keyv map on the embedded one, behind `@nestjs/cache-manager`. Redis errors are
 * swallowed by the store (a miss), so a Redis outage slows reads but fails none.
 * Keys always carry the tenant: `t:{tenant}:...`.
 */
/** Owns the single Redis connection so the cache store and the counters share it. */
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
class RedisModule {}

@Global()
@Module({
  imports: [
    RedisModule,
    NestCacheModule.registerAsync({
      imports: [RedisModule],
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection) => {
        const store = redis.client
          ? new Keyv({
              store: new KeyvRedis(redis.client, { throwOnConnectError: false, throwOnErrors: false }),
              namespace: 'bd',
              useKeyPrefix: false,
            })
          : new Keyv({ namespace: 'bd' });
        // The same Keyv class, seen once through its CommonJS and once through its ESM typings.
        return { stores: [store as never] };
      },
    }),
  ],
  providers: [RateLimiter, VersionStore, VersionOutbox, CacheVersions, CachedReads, CachedReadInterceptor],
  exports: [NestCacheModule, RedisModule, RateLimiter, VersionStore, VersionOutbox, CacheVersions, CachedReads, CachedReadInterceptor],
})
export class CacheModule {}
