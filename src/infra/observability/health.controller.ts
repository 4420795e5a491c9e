import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../modules/secrets/encryption.provider';
import { Public } from '../auth/permissions';
import { RedisConnection } from '../cache/redis-connection';
import { CatalogDatabase } from '../database/catalog-database';
import { ShardRegistry } from '../database/shard-registry';

const TIMEOUT_MS = 2000;

/**
 * `/health`: the catalog, every shard by id, the cache and the encryption service.
 * 200 when all are up, 503 naming what is down. Each check has a deadline so a
 * hung dependency shows as down instead of hanging the probe.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly catalog: CatalogDatabase,
    private readonly shards: ShardRegistry,
    private readonly redis: RedisConnection,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
  ) {}

  @Get()
  @Public()
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.runChecks();
    } catch (error) {
      // Terminus reports "down" by throwing; the report itself is the body probes read.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse();
    }
  }

  private runChecks() {
    return this.health.check([
      () => this.indicators.check('catalog').attempt(() => this.catalog.ping()).withTimeout(TIMEOUT_MS),
      ...this.shards.ids().map(
        (id) => () => this.indicators.check(`shard:${id}`).attempt(() => this.shards.ping(id)).withTimeout(TIMEOUT_MS),
      ),
      () =>
        this.indicators
          .check('cache')
          .attempt(async () => {
            if (!this.redis.client) return { store: 'memory' };
            await this.redis.run((c) => c.ping());
            return { store: 'redis' };
          })
          .withTimeout(TIMEOUT_MS),
      () =>
        this.indicators
          .check('encryption')
          .attempt(async () => {
            const { up, detail } = await this.encryption.health();
            if (!up) throw new Error(detail ?? 'down');
            return { provider: this.encryption.kind };
          })
          .withTimeout(TIMEOUT_MS),
    ]);
  }
}
