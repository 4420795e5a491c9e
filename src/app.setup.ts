import type { Writable } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { registerJsonApiHooks } from './infra/json-api/json-api.hooks';
import { echoRequestId, requestId } from './infra/observability/logging';
import { Metrics } from './infra/observability/metrics';

/** Request bodies above this are refused with 413 (a sync batch of a day's sales fits easily). */
const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/**
 * Builds the whole server, ready to listen or to `inject` requests into. The
 * e2e tests boot exactly this, so they test what production runs.
 *
 * @example
 * const app = await createApp(loadConfig(process.env));
 * await app.listen({ port: 3000 });
 */
export async function createApp(config: AppConfig, options: { logStream?: Writable } = {}): Promise<NestFastifyApplication> {
  // Fastify takes a hop count too, though its types list only booleans, strings and functions.
  const trustProxy = config.http.trustProxy as boolean;
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy, genReqId: requestId });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.logStream), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  echoRequestId(fastify);
  registerJsonApiHooks(fastify, BODY_LIMIT_BYTES);
  app.get(Metrics).observe(fastify);
  app.enableShutdownHooks();
  await app.init();
  await fastify.ready();
  return app;
}
