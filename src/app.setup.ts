import type { Writable } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { frameworkErrors, registerJsonApiHooks } from './infra/json-api/json-api.hooks';
import { AppLogger, Logs, echoRequestId, requestId } from './infra/observability/logging';
import { Metrics } from './infra/observability/metrics';

/** Request bodies above this are refused with 413 (a sync batch of a day's sales fits easily). */
const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/** The Fastify adapter every server of ours uses. */
export function createAdapter(config: AppConfig): FastifyAdapter {
  // Fastify takes a hop count too, though its types list only booleans, strings and functions.
  const trustProxy = config.http.trustProxy as boolean;
  return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy, genReqId: requestId, frameworkErrors });
}

/**
 * What a created Nest application needs before it serves: logging, JSON:API
 * hooks, metrics, shutdown hooks. Shared by `createApp` and by benchmarks that
 * build the application from a testing module (to swap a provider).
 */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  app.useLogger(app.get(AppLogger));
  const fastify = app.getHttpAdapter().getInstance();
  app.get(Logs).logRequests(fastify);
  echoRequestId(fastify);
  registerJsonApiHooks(fastify, BODY_LIMIT_BYTES);
  app.get(Metrics).observe(fastify);
  app.enableShutdownHooks();
  await app.init();
  await fastify.ready();
  return app;
}

/**
 * Builds the whole server, ready to listen or to `inject` requests into. The
 * e2e tests boot exactly this, so they test what production runs.
 *
 * @example
 * const app = await createApp(loadConfig(process.env));
 * await app.listen({ port: 3000 });
 */
export async function createApp(config: AppConfig, options: { logStream?: Writable } = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.logStream), createAdapter(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  return configureApp(app);
}
