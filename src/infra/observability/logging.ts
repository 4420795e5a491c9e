import { type DynamicModule, Global, type LoggerService, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import pino, { type Level, type Logger as Pino } from 'pino';
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
 * Paths pino censors in every object logged. The request lines below carry no
 * headers or bodies; these catch a password, a token or PII in any other object
 * the code logs (and headers, should anything ever log them). Every write-only or
 * sensitive attribute of a resource definition is among them (a test checks), so
 * logging a document's `attributes` by mistake leaks none of them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.resetPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secretId',
  '*.value',
  '*.email',
  '*.phone',
  '*.contactPhone',
  '*.recipientName',
  '*.recipientPhone',
  '*.address',
  '*.cardMessage',
  '*.name',
  '*.ownerName',
  '*.ip',
  '*.plaintext',
];

const REQUEST_ID = /^[\w.-]{8,64}$/;

/** Polled by probes and scrapers: a line per poll would drown the log. */
const UNLOGGED_PATHS = new Set(['/health', '/metrics']);

/**
 * Fastify's request id: the caller's `X-Request-Id` if it looks like one, else a
 * new UUID; echoed in the response and named by every log line of the request.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Every response names its request id, so a client can quote it to support. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}

/**
 * stdout takes the lines in writes of at least this many bytes (about a dozen
 * lines), or whatever has gathered every FLUSH_EVERY_MS: a write per line handed
 * each line to libuv's thread pool, whose wake-ups cost the event loop as much as
 * the rest of a cached read on two busy cores.
 */
const BATCH_BYTES = 4096;
const FLUSH_EVERY_MS = 200;

/** Who a request's log lines name, once the auth guard knows. */
export interface LogFields {
  tenantId: string;
  userId: string;
}

/** What the lines the code logs while a request runs carry. Their child logger is made only when one is logged. */
interface RequestScope {
  reqId: string;
  fields?: LogFields;
  logger?: Pino;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

/** Adds tenant and user to the lines logged for the current request from now on (the auth guard calls it). */
export function assignLogFields(fields: LogFields): void {
  const scope = requestScope.getStore();
  if (!scope) return;
  scope.fields = fields;
  scope.logger = scope.logger?.child(fields);
}

/**
 * The server's pino logger and its destination: stdout through an asynchronous
 * SonicBoom that gathers lines into writes of BATCH_BYTES (or what has gathered
 * every FLUSH_EVERY_MS), never blocking the event loop on a write, or the stream
 * a test reads. `flush` writes what is still buffered; it runs at shutdown (Nest's
 * signal handling ends the process without an exit event), and pino's own exit
 * hook covers an exit without one.
 */
export class Logs implements OnApplicationShutdown {
  readonly root: Pino;
  /**
   * The request lines' logger: the same destination and level, without the
   * redaction pass, which was a tenth of a cached read's CPU. A request line is
   * built field by field from values that cannot hold a secret (ids, method, status,
   * time, the URL with its filter values already replaced); everything else the
   * server logs goes through `root` and is redacted.
   */
  private readonly requestLines: Pino;
  private readonly destination: ReturnType<typeof pino.destination> | undefined;

  constructor(config: AppConfig, stream?: Writable) {
    this.destination = stream ? undefined : pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, periodicFlush: FLUSH_EVERY_MS });
    this.root = pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream ?? this.destination);
    this.requestLines = this.root.child({}, { redact: [] });
  }

  /** The logger for a line logged now: the current request's (with its id, tenant and user), else the root. */
  current(): Pino {
    const scope = requestScope.getStore();
    if (!scope) return this.root;
    return (scope.logger ??= this.root.child({ reqId: scope.reqId, ...scope.fields }));
  }

  flush(): void {
    try {
      this.destination?.flushSync();
    } catch {
      // Not open yet (nothing was written) or already closed: nothing to flush.
    }
  }

  onApplicationShutdown(): void {
    this.flush();
  }

  /**
   * One JSON line per request, when its response has gone: request id, method,
   * URL (filter values redacted), status, time, tenant and user; `error` for a
   * 5xx. Made from the request itself at the end, so a request costs no logger of
   * its own unless the code logs during it; those lines get the request's id (and
   * tenant and user once known) through `current`.
   */
  logRequests(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, _reply, done) => requestScope.run({ reqId: String(request.id) }, done));
    fastify.addHook('onResponse', (request, reply, done) => {
      this.requestLine(request, reply);
      done();
    });
  }

  private requestLine(request: FastifyRequest, reply: FastifyReply): void {
    const failed = reply.statusCode >= 500;
    const level: Level = failed ? 'error' : 'info';
    if (!this.requestLines.isLevelEnabled(level) || UNLOGGED_PATHS.has(request.url.split('?')[0])) return;
    const id = String(request.id);
    this.requestLines[level](
      {
        reqId: id,
        req: { id, method: request.method, url: redactUrl(request.url) },
        ...(request.ctx && { tenantId: request.ctx.tenantId, userId: request.ctx.userId }),
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime),
      },
      failed ? 'request failed' : 'request completed',
    );
  }
}

/**
 * Nest's logger interface on pino: `new Logger(Context).warn(...)` anywhere in
 * the server writes a JSON line with `context`, redacted like every other.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly logs: Logs) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest passes the context last (and `undefined` where a stack may go). An object
   * message is merged into the line, an Error becomes `err`, and Nest's own
   * `error(message, stack)` becomes `err` with that stack, as nestjs-pino did.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const logger = this.logs.current();
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    if (params.length && params[params.length - 1] !== undefined) fields.context = params[params.length - 1];
    const rest = params.slice(0, -1).filter((p) => p !== undefined);
    if (message instanceof Error) fields.err = message;
    else if (message && typeof message === 'object') Object.assign(fields, message);
    let text = typeof message === 'string' ? message : undefined;
    if (text === undefined && typeof rest[0] === 'string') text = rest.shift() as string;
    else if (level === 'error' && text !== undefined && rest.length === 1 && typeof rest[0] === 'string') {
      fields.err = Object.assign(new Error(text), { stack: rest.shift() as string });
    }
    logger[level](fields, text, ...rest);
  }
}

/** The server's logging: the pino logger (`Logs`) and Nest's logger interface on it (`AppLogger`). */
@Global()
@Module({})
export class LoggingModule {
  /** `stream` replaces stdout (tests read the lines back). */
  static forRoot(config: AppConfig, stream?: Writable): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: Logs, useFactory: () => new Logs(config, stream) }, { provide: AppLogger, useFactory: (logs: Logs) => new AppLogger(logs), inject: [Logs] }],
      exports: [Logs, AppLogger],
    };
  }
}
