import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentStatus, toErrorObjects } from './json-api-exception.filter';
import { JsonApiError, JsonApiErrorCode } from './json-api.errors';
import { JSON_API_MEDIA_TYPE, acceptsCsv, negotiate, parseMediaType } from './media-type';
import { EXPORT_ROUTE } from './csv';
import { checkParameterNames, checkQueryEncoding } from './resource-query';

declare module 'fastify' {
  interface FastifyRequest {
    /** Extensions and profiles the request asked for and the server supports. */
    jsonApiMedia?: { ext: string[]; profile: string[] };
  }
}

const API_PREFIX = '/api/';

// Fastify's string parsing would turn invalid bytes into U+FFFD without a word,
// and an encrypted value would then be stored altered. JSON must be UTF-8.
const UTF8 = new TextDecoder('utf-8', { fatal: true });
// Escapes can still spell half a surrogate pair, which UTF-8 cannot encode either.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => wellFormed(k) && wellFormed(v));
  return true;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * The Content-Type to check: a body's always; without a body, one that names the
 * JSON:API media type (JSON:API's 415 for parameters other than ext and profile
 * does not depend on a body). Another media type on a request without a body
 * describes nothing and is left alone.
 */
function contentTypeToCheck(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  if (hasBody(request)) return header ?? '';
  return header !== undefined && parseMediaType(header).type === JSON_API_MEDIA_TYPE ? header : undefined;
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const errors = toErrorObjects(error);
  // As bytes: Fastify appends a charset to a JSON media type it serializes, and
  // before routing (frameworkErrors) no onSend hook is there to take it off.
  return reply
    .status(documentStatus(errors))
    .header('content-type', JSON_API_MEDIA_TYPE)
    .send(Buffer.from(JSON.stringify({ jsonapi: { version: '1.1' }, errors, meta: { requestId: request.id } })));
}

/**
 * Fastify's own refusals before routing, as the JSON:API errors every other
 * refusal is: a path that is not percent-encoded UTF-8 is 400; a path
 * parameter too long to be an id of ours names nothing (404, as a malformed id).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.code === 'FST_ERR_BAD_URL') return sendError(request, reply, new JsonApiError(JsonApiErrorCode.MalformedUrl, 'The path is not percent-encoded UTF-8.'));
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(request, reply, new JsonApiError(JsonApiErrorCode.RouteNotFound, 'No such endpoint.'));
  return sendError(request, reply, error);
}

/**
 * Fastify hooks for everything under /api/: JSON:API content negotiation before
 * routing (415/406), the query parameter names JSON:API allows and their
 * percent-encoding (400, on every route; each route then checks the parameters it takes), `Vary: Accept` on
 * every response, the JSON:API body parser, and a bare media type on the way
 * out. Errors Fastify raises itself (bad JSON, body too large) reach the
 * exception filter through Nest.
 */
export function registerJsonApiHooks(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser(JSON_API_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    const malformed = (detail: string) => done(new JsonApiError(JsonApiErrorCode.MalformedJson, detail, { pointer: '' }), undefined);
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      return malformed('The request body is not valid UTF-8.');
    }
    if (text === '') return done(null, undefined);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      return malformed('The request body is not valid JSON.');
    }
    if (SURROGATE_ESCAPE.test(text) && !wellFormed(document)) return malformed('The request body holds an unpaired surrogate (\\uD800-\\uDFFF): text must be valid Unicode.');
    done(null, document);
  });

  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(API_PREFIX) || request.url.split('?')[0] === '/api/v1/openapi.json') return;
    reply.header('vary', 'Accept');
    // An export answers CSV: its Accept is checked for that, its Content-Type as any request's.
    const csv = (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[EXPORT_ROUTE] === true;
    const result = negotiate(contentTypeToCheck(request), csv ? undefined : request.headers.accept);
    if (result.ok && csv && !acceptsCsv(request.headers.accept)) {
      return sendError(request, reply, new JsonApiError(JsonApiErrorCode.NotAcceptable, 'An export answers text/csv: Accept must allow it (text/csv, text/*, */* or no Accept).', { header: 'Accept' }));
    }
    if (!result.ok) {
      const code = result.status === 415 ? JsonApiErrorCode.UnsupportedMediaType : JsonApiErrorCode.NotAcceptable;
      const header = result.status === 415 ? 'Content-Type' : 'Accept';
      return sendError(request, reply, new JsonApiError(code, result.detail, { header }));
    }
    try {
      checkQueryEncoding(request.url);
      checkParameterNames((request.query ?? {}) as Record<string, unknown>);
    } catch (error) {
      return sendError(request, reply, error);
    }
    request.jsonApiMedia = { ext: result.ext, profile: result.profile };
  });

  // Fastify appends `; charset=utf-8`; JSON:API allows no parameters but ext and profile.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith(JSON_API_MEDIA_TYPE)) {
      reply.header('content-type', type.replace(/;\s*charset=utf-8/i, ''));
    }
    done(null, payload);
  });
}
