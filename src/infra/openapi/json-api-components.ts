import { ATOMIC_EXT, JSON_API_MEDIA_TYPE } from '../json-api/media-type';
import type { Components, JsonSchema, Parameter, Reference, ResponseObject } from './openapi-types';

/** A schema that is a `$ref` to a component (in JSON Schema 2020-12, a `$ref` is a schema like any other). */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const parameterRef = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: string): Reference => ({ $ref: `#/components/headers/${name}` });

/** The media type of atomic operations requests and results (the extension is named in it). */
export const ATOMIC_MEDIA_TYPE = `${JSON_API_MEDIA_TYPE}; ext="${ATOMIC_EXT}"`;

export const jsonApiContent = (schema: JsonSchema, mediaType = JSON_API_MEDIA_TYPE) => ({ [mediaType]: { schema } });

/**
 * Error statuses the server answers, each with what causes it. The exception
 * filter renders every one as the same error document; the error `code` tells
 * programs which case it is.
 */
const ERROR_RESPONSES: Record<number, [name: string, description: string]> = {
  400: ['BadRequest', 'Malformed JSON, an invalid document, an unknown attribute, a query parameter the route does not take, a name JSON:API does not allow, or a name or value that is not percent-encoded UTF-8 (`source.parameter`), a path that is not percent-encoded UTF-8, or an invalid `Idempotency-Key` (or one where the route takes none).'],
  401: ['Unauthorized', 'No bearer token, or one that is invalid, expired or belongs to an ended session; on login, wrong credentials.'],
  403: ['Forbidden', 'The role may not do this (or may not read the related type), or the document writes a read-only attribute or relationship, carries a client-generated `id` where the type takes none, or the action is not supported for this type.'],
  404: ['NotFound', 'No such resource for this shop (another shop’s id answers exactly like a missing one), or a related id that does not exist.'],
  406: ['NotAcceptable', '`Accept` lists JSON:API only with parameters other than `ext`/`profile`, or nothing this server produces.'],
  409: ['Conflict', 'A `type` or `id` that conflicts with the endpoint, a client-generated id already taken, a uniqueness rule, or an `Idempotency-Key` reused with a different request.'],
  413: ['PayloadTooLarge', 'The request body is larger than the server accepts.'],
  415: ['UnsupportedMediaType', 'The request body is not `application/vnd.api+json`, carries parameters other than `ext`/`profile`, or names an unsupported extension.'],
  422: ['UnprocessableContent', 'Attribute values fail validation; every fault is one error with its `source.pointer`. On an export: more rows match than one export may hold (`export-too-large`, `meta.maxRows`).'],
  429: ['TooManyRequests', 'Too many attempts from this address or for this login; `Retry-After` says when to try again.'],
  500: ['InternalError', 'An unexpected fault; it has been logged under the request id in `meta.requestId`.'],
  503: ['ServiceUnavailable', 'The shop’s database, the catalog or the encryption service is unavailable; other shops are not affected. Try again shortly. On an export: the audit log could not record it (`export-not-recorded`), so nothing was sent.'],
};

export const errorResponses = (statuses: readonly number[]): Record<string, Reference> =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/${ERROR_RESPONSES[status][0]}` }]));

const link: JsonSchema = { type: 'string', format: 'uri-reference' };
const nullableLink: JsonSchema = { type: ['string', 'null'], format: 'uri-reference' };
const linksObject = (required: Record<string, JsonSchema>, description: string): JsonSchema => ({
  type: 'object',
  description,
  required: Object.keys(required),
  properties: required,
  additionalProperties: false,
});

/** Schemas every resource type shares: the `jsonapi` object, links, and the error document. */
function sharedSchemas(): Record<string, JsonSchema> {
  return {
    JsonApiObject: {
      type: 'object',
      description: 'The JSON:API version, and the extensions and profiles the response applied.',
      required: ['version'],
      properties: {
        version: { const: '1.1' },
        ext: { type: 'array', items: { type: 'string', format: 'uri' } },
        profile: { type: 'array', items: { type: 'string', format: 'uri' } },
      },
      additionalProperties: false,
    },
    Link: link,
    SelfLinks: linksObject({ self: schemaRef('Link') }, 'The URL of this document or resource.'),
    RelationshipLinks: linksObject(
      { self: schemaRef('Link'), related: schemaRef('Link') },
      'The relationship endpoint (`self`) and the related resources (`related`).',
    ),
    PageLinks: linksObject(
      { self: link, first: link, prev: nullableLink, next: nullableLink, last: link },
      'Numbered pages; every other parameter of the request is kept. `prev`/`next` are null at the ends.',
    ),
    CursorPageLinks: linksObject(
      { self: link, prev: nullableLink, next: nullableLink },
      'Cursor pages of a changes feed (the cursor pagination profile); `next` is null when nothing newer remains.',
    ),
    ErrorObject: {
      type: 'object',
      required: ['status', 'code', 'title', 'detail'],
      properties: {
        status: { type: 'string', pattern: '^[45]\\d\\d$', description: 'The HTTP status, as a string.' },
        code: { type: 'string', description: 'Stable, for programs: e.g. `validation-failed`, `not-found`, `id-taken`.' },
        title: { type: 'string', description: 'The same for every occurrence of the code.' },
        detail: { type: 'string', description: 'For people: what is wrong with this request.' },
        source: {
          type: 'object',
          properties: {
            pointer: { type: 'string', description: 'JSON Pointer into the request body.' },
            parameter: { type: 'string', description: 'The query parameter at fault.' },
            header: { type: 'string', description: 'The request header at fault.' },
          },
          additionalProperties: false,
        },
        links: {
          type: 'object',
          properties: { type: { type: 'string', format: 'uri', description: 'The error type, where a profile names one.' } },
          additionalProperties: false,
        },
        meta: { type: 'object', description: 'Facts a client can act on, e.g. `page.maxSize`.' },
      },
      additionalProperties: false,
    },
    ErrorDocument: {
      type: 'object',
      required: ['jsonapi', 'errors', 'meta'],
      properties: {
        jsonapi: schemaRef('JsonApiObject'),
        errors: { type: 'array', minItems: 1, items: schemaRef('ErrorObject') },
        meta: {
          type: 'object',
          required: ['requestId'],
          properties: { requestId: { type: 'string', description: 'Also sent as `X-Request-Id`; quote it when reporting a problem.' } },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  };
}

function sharedResponses(): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {};
  for (const [status, [name, description]] of Object.entries(ERROR_RESPONSES)) {
    responses[name] = {
      description,
      ...(status === '429' && { headers: { 'Retry-After': headerRef('RetryAfter') } }),
      content: jsonApiContent(schemaRef('ErrorDocument')),
    };
  }
  return responses;
}

function sharedParameters(): Record<string, Parameter> {
  return {
    Id: { name: 'id', in: 'path', required: true, description: 'The resource id (a UUID).', schema: { type: 'string', format: 'uuid' } },
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      description:
        'Makes the write safe to repeat (offline devices resend): a repeat by the same user or device with the same key and request (method, URL, body) gets the stored answer with `Idempotency-Replayed: true` and changes nothing; the same key with another request is refused with 409. A key is its sender’s: another user sending it runs their own request. Kept 48 hours, across restarts.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    },
  };
}

/** Every component that is not about one resource type. */
export function sharedComponents(): Components {
  return {
    schemas: sharedSchemas(),
    responses: sharedResponses(),
    parameters: sharedParameters(),
    headers: {
      Location: { description: 'The URL of the created resource.', schema: { type: 'string', format: 'uri-reference' } },
      IdempotencyReplayed: { description: '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.', schema: { const: 'true' } },
      RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
    },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'The `accessToken` from `POST /api/v1/sessions` (valid 15 minutes; refresh it with the `refreshToken`).',
      },
    },
  };
}

export const writeHeaders = {
  'Idempotency-Replayed': headerRef('IdempotencyReplayed'),
};
export const createdHeaders = {
  Location: headerRef('Location'),
  ...writeHeaders,
};
