import { DomainError, type ErrorSource } from '../errors/domain-error';

/** Faults in the request itself, found by the JSON:API layer before any service runs. */
export enum JsonApiErrorCode {
  UnsupportedMediaType = 'unsupported-media-type',
  NotAcceptable = 'not-acceptable',
  MalformedJson = 'malformed-json',
  InvalidDocument = 'invalid-document',
  InvalidQueryParameter = 'invalid-query-parameter',
  UnknownAttribute = 'unknown-attribute',
  UnknownRelationship = 'unknown-relationship',
  ReadOnlyAttribute = 'read-only-attribute',
  ValidationFailed = 'validation-failed',
  TypeConflict = 'type-conflict',
  IdConflict = 'id-conflict',
  RouteNotFound = 'route-not-found',
  MethodNotAllowed = 'method-not-allowed',
  PayloadTooLarge = 'payload-too-large',
  TooManyRequests = 'too-many-requests',
}

export class JsonApiError extends DomainError<JsonApiErrorCode> {}

export const invalidParameter = (parameter: string, detail: string) =>
  new JsonApiError(JsonApiErrorCode.InvalidQueryParameter, detail, { parameter });

export const invalidDocument = (pointer: string, detail: string) =>
  new JsonApiError(JsonApiErrorCode.InvalidDocument, detail, { pointer });

/** Several faults at once (every invalid attribute of a document); the filter renders each. */
export class JsonApiErrors extends Error {
  constructor(readonly errors: readonly DomainError[]) {
    super(errors.map((e) => e.detail).join(' '));
  }
}

export type { ErrorSource };
