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
}

export class AuthError extends DomainError<AuthErrorCode> {}
