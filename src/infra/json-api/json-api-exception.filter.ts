import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseError, DatabaseErrorCode, isConnectionFailure, lockConflict } from '../database/database.errors';
import { DomainError, type ErrorSource } from '../errors/domain-error';
import { type ErrorCode, describeCode } from './error-codes';
import { JsonApiError, JsonApiErrorCode, JsonApiErrors } from './json-api.errors';
import { JSON_API_MEDIA_TYPE } from './media-type';

export interface ErrorObject {
  status: string;
  code: string;
  title: string;
  detail: string;
  source?: ErrorSource;
  links?: { type: string };
  meta?: Record<string, unknown>;
}

const INTERNAL: ErrorObject = {
  status: '500',
  code: 'internal-error',
  title: 'Internal error',
  detail: 'Something went wrong on our side. It has been logged.',
};

const UNAVAILABLE: ErrorObject = {
  status: '503',
  code: 'database-unavailable',
  title: 'Service unavailable',
  detail: 'A database is unavailable. Try again shortly.',
};


function fromDomain(error: DomainError): ErrorObject {
  const { status, title } = describeCode(error.code as ErrorCode);
  const object: ErrorObject = { status: String(status), code: error.code, title, detail: error.detail };
  if (error.source) object.source = error.source;
  if (error instanceof JsonApiError) {
    if (error.typeLink) object.links = { type: error.typeLink };
    if (error.clientMeta) object.meta = error.clientMeta;
  }
  return object;
}

/** Errors Fastify raises before a handler runs (body parsing, limits) or Nest raises for unknown routes. */
function fromFramework(error: unknown): ErrorObject | undefined {
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown })?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  const code =
    status === 404
      ? JsonApiErrorCode.RouteNotFound
      : status === 405
        ? JsonApiErrorCode.MethodNotAllowed
        : status === 413
          ? JsonApiErrorCode.PayloadTooLarge
          : status === 415
            ? JsonApiErrorCode.UnsupportedMediaType
            : status === 429
              ? JsonApiErrorCode.TooManyRequests
              : JsonApiErrorCode.MalformedJson;
  const detail =
    code === JsonApiErrorCode.MalformedJson
      ? 'The request body is not valid JSON.'
      : code === JsonApiErrorCode.RouteNotFound
        ? 'No such endpoint.'
        : describeCode(code).title;
  return {
    status: String(describeCode(code).status),
    code,
    title: describeCode(code).title,
    detail,
    ...(code === JsonApiErrorCode.MalformedJson && { source: { pointer: '' } }),
  };
}

/** What may be logged of an unexpected error: never query parameters (they may hold values). */
function loggable(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, code, message: error.message.slice(0, 500), stack: error.stack };
}

/** Database errors that mean something to the client become the domain error they mean. */
const meaningOf = (error: unknown): unknown => lockConflict(error) ?? error;

/** Seconds a client should wait, when the error says so (rate limits, lock conflicts). */
export function retryAfterOf(error: unknown): number | undefined {
  const meant = meaningOf(error);
  const value = meant instanceof DomainError ? meant.meta?.retryAfter : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** Turns every error into a JSON:API error document: the one error path of the server. */
export function toErrorObjects(thrown: unknown, authenticated = false): ErrorObject[] {
  const error = meaningOf(thrown);
  if (error instanceof JsonApiErrors) return error.errors.map(fromDomain);
  if (error instanceof DomainError) {
    try {
      return [fromDomain(error)];
    } catch {
      return [INTERNAL];
    }
  }
  if (isConnectionFailure(error)) {
    // After the guard the catalog has just answered: a lost connection then is the tenant's shard.
    return [authenticated ? fromDomain(new DatabaseError(DatabaseErrorCode.ShardUnavailable, 'The database holding this shop is unavailable. Try again shortly.')) : UNAVAILABLE];
  }
  return [fromFramework(error) ?? INTERNAL];
}

export function documentStatus(errors: readonly ErrorObject[]): number {
  const statuses = new Set(errors.map((e) => e.status));
  if (statuses.size === 1) return Number(errors[0].status);
  return errors.some((e) => e.status.startsWith('5')) ? 500 : 400;
}

@Catch()
export class JsonApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const errors = toErrorObjects(error, request.ctx !== undefined);
    const status = documentStatus(errors);
    if (status >= 500) {
      this.logger.error({ err: loggable(error), codes: errors.map((e) => e.code) }, 'request failed');
    }
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    reply
      .status(status)
      .header('content-type', JSON_API_MEDIA_TYPE)
      .send({ jsonapi: { version: '1.1' }, errors, meta: { requestId: request.id } });
  }
}
