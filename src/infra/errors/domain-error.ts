/** Where in the request the fault lies: a JSON pointer into the body, or a query parameter. */
export interface ErrorSource {
  pointer?: string;
  parameter?: string;
  header?: string;
}

/**
 * Base of every error a service may throw. Services never throw HTTP exceptions:
 * the exception filter maps `code` to a status with an exhaustive switch, so a code
 * without a status fails to compile.
 *
 * @example
 * throw new TenantsError(TenantsErrorCode.StoreNotFound, 'No store with this id.', { pointer: '/data/id' });
 */
export abstract class DomainError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    /** Safe for a client to read: never a secret, a token, PII or a ciphertext. */
    readonly detail: string,
    readonly source?: ErrorSource,
    readonly meta?: Record<string, unknown>,
  ) {
    super(detail);
  }
}
