import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';

/** Query parameters whose values may be logged; every other value is replaced. */
const LOGGABLE_QUERY = /^(page\[(number|size|after|before)\]|sort|include|fields\[[\w-]+\])$/;

/** A URL for the log: path as is, query values redacted unless known harmless (filters may hold phones, e-mails). */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  const kept = [...params].map(([k, v]) => `${k}=${LOGGABLE_QUERY.test(k) ? v : '[redacted]'}`);
  return `${url.slice(0, at)}?${kept.join('&')}`;
}

/**
 * Paths pino censors in every object logged. The request and response
 * serializers below already emit no headers or bodies; these catch a password,
 * a token or PII in any other object the code logs (and headers, should a
 * serializer ever pass them on).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secretId',
  '*.email',
  '*.phone',
  '*.name',
  '*.plaintext',
];

const REQUEST_ID = /^[\w.-]{8,64}$/;

/** Polled by probes and scrapers: a line per poll would drown the log. */
const UNLOGGED_PATHS = new Set(['/health', '/metrics']);

/**
 * The path a request asked for. Nest mounts the logger as middleware, and the
 * middleware layer (middie) hands it `url` relative to the mount point (`/`);
 * the full URL is in `originalUrl`.
 */
const requestPath = (req: IncomingMessage & { originalUrl?: string }): string => (req.originalUrl ?? req.url ?? '').split('?')[0];

/**
 * Fastify's request id: the caller's `X-Request-Id` if it looks like one, else a
 * new UUID. Kept on the raw request too, so pino's request logger uses the same id,
 * and echoed in the response.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  return id;
}

/** Every response names its request id, so a client can quote it to support. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}

/**
 * JSON lines through pino: one per request with its request id, tenant and user
 * once the guard knows them, and nothing that could hold a password, a token or PII.
 */
export function loggerParams(config: AppConfig, stream?: Writable): Params {
  return {
    pinoHttp: {
      ...(stream && { stream }),
      level: config.logLevel,
      genReqId: (req: IncomingMessage) => (typeof req.id === 'string' ? req.id : requestId(req)),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => UNLOGGED_PATHS.has(requestPath(req)) },
      quietReqLogger: true,
    },
    forRoutes: ['*path'],
    // Tenant and user, once the guard assigns them, go on the request's completion line too.
    assignResponse: true,
  };
}
