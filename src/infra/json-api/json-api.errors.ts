import { DomainError, type ErrorSource } from '../errors/domain-error';

/** Faults in the request, found by the JSON:API layer itself. */
export enum JsonApiErrorCode {
  UnsupportedMediaType = 'unsupported-media-type',
  NotAcceptable = 'not-acceptable',
  MalformedJson = 'malformed-json',
  InvalidDocument = 'invalid-document',
  InvalidQueryParameter = 'invalid-query-parameter',
  UnknownAttribute = 'unknown-attribute',
  UnknownRelationship = 'unknown-relationship',
  ReadOnlyAttribute = 'read-only-attribute',
  ReadOnlyRelationship = 'read-only-relationship',
  ValidationFailed = 'validation-failed',
  TypeConflict = 'type-conflict',
  IdConflict = 'id-conflict',
  IdTaken = 'id-taken',
  ResourceNotFound = 'not-found',
  RelatedNotFound = 'related-not-found',
  /** A path that is not percent-encoded UTF-8: it names nothing, and cannot be read to say so. */
  MalformedUrl = 'malformed-url',
  RouteNotFound = 'route-not-found',
  MethodNotAllowed = 'method-not-allowed',
  /** Creating, updating or deleting a type that does not allow it (JSON:API: 403). */
  ActionNotSupported = 'action-not-supported',
  PayloadTooLarge = 'payload-too-large',
  TooManyRequests = 'too-many-requests',
  IdempotencyKeyInvalid = 'idempotency-key-invalid',
  IdempotencyKeyReused = 'idempotency-key-reused',
  IdempotencyKeyInFlight = 'idempotency-key-in-flight',
  /** An Idempotency-Key on a write whose answer is never stored (a login). */
  IdempotencyKeyNotSupported = 'idempotency-key-not-supported',
  /** A client-generated id where the type does not take one (JSON:API: 403). */
  ClientIdNotSupported = 'client-id-not-supported',
  /** An export matching more rows than one may hold (EXPORT_MAX_ROWS): narrow the filters. */
  ExportTooLarge = 'export-too-large',
  /** An export the audit log could not record: it is not served. */
  ExportNotRecorded = 'export-not-recorded',
}

/**
 * An error of the JSON:API layer. `meta` is shown to the client (unlike a
 * DomainError's, which stays in the logs), and `typeLink` becomes `links.type`
 * (the cursor pagination profile names its error types so).
 */
export class JsonApiError extends DomainError<JsonApiErrorCode> {
  constructor(
    code: JsonApiErrorCode,
    detail: string,
    source?: ErrorSource,
    readonly clientMeta?: Record<string, unknown>,
    readonly typeLink?: string,
  ) {
    super(code, detail, source);
  }
}

const CURSOR = 'https://jsonapi.org/profiles/ethanresnick/cursor-pagination';
/** The error types the cursor pagination profile names (its invalid-parameter-value error has none). */
export const CURSOR_ERRORS = {
  maxSizeExceeded: `${CURSOR}/max-size-exceeded`,
  rangeNotSupported: `${CURSOR}/range-pagination-not-supported`,
  unsupportedSort: `${CURSOR}/unsupported-sort`,
} as const;

export const invalidParameter = (parameter: string, detail: string) =>
  new JsonApiError(JsonApiErrorCode.InvalidQueryParameter, detail, { parameter });

export const invalidDocument = (pointer: string, detail: string) =>
  new JsonApiError(JsonApiErrorCode.InvalidDocument, detail, { pointer });

/** The one "not found" of every resource: another tenant's id looks exactly like a missing one. */
export const notFound = (type: string, id: string) =>
  new JsonApiError(JsonApiErrorCode.ResourceNotFound, `No ${type} with id ${id}.`);

/** Several faults at once (every invalid attribute of a document); the filter renders each. */
export class JsonApiErrors extends Error {
  constructor(readonly errors: readonly DomainError[]) {
    super(errors.map((e) => e.detail).join(' '));
  }
}

export type { ErrorSource };
