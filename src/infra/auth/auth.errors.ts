import { DomainError } from '../errors/domain-error';

export enum AuthErrorCode {
  MissingToken = 'missing-token',
  InvalidToken = 'invalid-token',
  ExpiredToken = 'expired-token',
  SessionRevoked = 'session-revoked',
  InvalidCredentials = 'invalid-credentials',
  InvalidRefreshToken = 'invalid-refresh-token',
  Forbidden = 'forbidden',
  RateLimited = 'rate-limited',
  /** The tenant's data is moving to another shard: writes wait. */
  TenantMoving = 'tenant-moving',
}

export class AuthError extends DomainError<AuthErrorCode> {}

/** Writes of a tenant whose data is moving to another shard wait: 503 with Retry-After. */
export const tenantMoving = () =>
  new AuthError(AuthErrorCode.TenantMoving, 'Your shop’s data is being moved; writes resume in a minute.', undefined, { retryAfter: 30 });
