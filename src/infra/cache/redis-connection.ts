import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type RedisClientType, createClient } from '@keyv/redis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';

const COMMAND_TIMEOUT_MS = 500;

/** No cache call on a request's path may hold it up longer than this; past it, the cache counts as down. */
export const CACHE_DEADLINE_MS = 250;

export function withDeadline<T>(work: Promise<T>, ms = CACHE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('cache deadline')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The one Redis connection (services profile), shared by the cache store and
 * the rate-limit counters. Commands fail at once while Redis is down
 * (`disableOfflineQueue`) so callers fall back instead of waiting, and the client
 * keeps reconnecting in the background. Absent (null client) on the embedded profile.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: RedisClientType | null;
  private lastErrorLog = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = config.redisUrl
      ? createClient({
          url: config.redisUrl,
          disableOfflineQueue: true,
          socket: {
            connectTimeout: 1000,
            reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
          },
        })
      : null;
    this.client?.on('error', (error: { code?: string }) => {
      // A dead Redis raises an error per reconnect attempt; one line every 10 s is enough.
      if (Date.now() - this.lastErrorLog > 10_000) {
        this.lastErrorLog = Date.now();
        this.logger.warn(`redis: ${error.code ?? 'error'}; serving without it until it is back`);
      }
    });
  }

  /**
   * Starts connecting without waiting: with a reconnect strategy, `connect()`
   * settles only once Redis answers, and the server must start (and serve from
   * the database) while Redis is down.
   */
  async onModuleInit(): Promise<void> {
    if (!this.client) return;
    const connecting = this.client.connect().catch(() => undefined);
    const first = await Promise.race([connecting.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000).unref())]);
    if (!first || !this.client.isReady) this.logger.warn('redis: unreachable at start; will keep trying');
  }

  get ready(): boolean {
    return this.client?.isReady ?? false;
  }

  /** Runs a command with a deadline; rejects if Redis is down or slow. */
  async run<T>(command: (client: RedisClientType) => Promise<T>, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
    if (!this.client?.isReady) throw new Error('redis not ready');
    return withDeadline(command(this.client), timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    // Closing an already-closed client throws; at shutdown either way is fine.
    if (this.client.isOpen) await this.client.close().catch(() => undefined);
    else
      try {
        this.client.destroy();
      } catch {
        /* already closed */
      }
  }
}
