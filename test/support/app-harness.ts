import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.setup';
import { type AppConfig, loadConfig } from '../../src/config/app-config';
import { JSON_API_MEDIA_TYPE } from '../../src/infra/json-api/media-type';
import { assertJsonApiDocument } from './json-api-schema';
import { assertOpenApiResponse } from './openapi-check';
import { servicesEnv } from './services-env';

export type Profile = 'embedded' | 'services';

export const PROFILE: Profile = process.env.BLOOMDESK_TEST_PROFILE === 'services' ? 'services' : 'embedded';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** The raw body, for malformed documents (text) or bytes that are not UTF-8 (a Buffer). */
  payload?: string | Buffer;
  token?: string;
  headers?: Record<string, string>;
  /** The client address Fastify sees (rate limits count per address). */
  ip?: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Every log line the app wrote, as text. */
  logs: string[];
  request(method: string, url: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

/**
 * Boots the real server (exactly `createApp`, as production) on the profile the
 * jest project selected: a fresh SQLite directory for embedded (or the
 * `DATA_DIR` an override names, which the test then owns: a second app on the
 * same databases), the shared test databases on MariaDB + Redis + OpenBao for
 * services. Every JSON:API response body is checked against the official
 * JSON:API schema and the served OpenAPI document; a violation fails the test.
 * Changes feeds run without their settle window (FEED_SETTLE_MS=0) unless a
 * test sets one: tests read what they have just written.
 */
export async function bootApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = overrides.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'bloomdesk-e2e-'));
  const common = { LOG_LEVEL: 'info', FEED_SETTLE_MS: '0' };
  const env =
    PROFILE === 'services'
      ? { ...servicesEnv(), ...common, ...overrides }
      : { NODE_ENV: 'test', DATA_DIR: dataDir, SEED_DEMO: 'false', ...common, ...overrides };
  const config = loadConfig(env);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await createApp(config, { logStream });
  const fastify = app.getHttpAdapter().getInstance();

  async function request(method: string, url: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { accept: JSON_API_MEDIA_TYPE, ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const payload = options.payload ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = JSON_API_MEDIA_TYPE;
    }
    const response = await fastify.inject({ method: method as 'GET', url, headers, payload, remoteAddress: options.ip ?? '127.0.0.1' });
    const type = String(response.headers['content-type'] ?? '');
    const body = type.startsWith(JSON_API_MEDIA_TYPE) || type.startsWith('application/json') ? response.json() : undefined;
    if (type.startsWith(JSON_API_MEDIA_TYPE)) assertJsonApiDocument(body, `${method} ${url} -> ${response.statusCode}`, type);
    await assertOpenApiResponse(fastify, method, url, { status: response.statusCode, contentType: type, body });
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  }

  return {
    app,
    config,
    logs,
    request,
    async close() {
      await app.close();
      if (!overrides.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
