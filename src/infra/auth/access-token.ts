import { Inject, Injectable } from '@nestjs/common';
import { type KeyObject, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuthError, AuthErrorCode } from './auth.errors';

export interface AccessClaims {
  /** user id */
  sub: string;
  /** tenant id */
  tid: string;
  /** session id: revoking the session stops the token at once */
  sid: string;
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const ISSUER = 'bloomdesk';
/** Tokens whose signature this instance has checked, remembered (the oldest go first). */
const VERIFIED_MAX = 20_000;

/**
 * Short-lived signed access tokens: compact JWTs with HS256 from `node:crypto`
 * (the whole of JWT we need is a dozen lines; no dependency). Only the header
 * this class writes is accepted, so `alg: none` and key-confusion tricks fail.
 */
@Injectable()
export class AccessTokenService {
  /** Imported once: an HMAC over a raw Buffer imports the key on every call (about 7x the cost of the MAC itself). */
  private readonly key: KeyObject;
  readonly ttlSeconds: number;
  /**
   * Claims of tokens already verified, by the exact token text: the same bytes carry
   * the same valid signature, so a client's next request costs no HMAC and no parse;
   * expiry is still checked every time, and revocation is the session's business.
   */
  private readonly verified = new Map<string, AccessClaims>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = createSecretKey(Buffer.from(config.auth.tokenSecret, 'utf8'));
    this.ttlSeconds = config.auth.accessTtlSeconds;
  }

  sign(claims: Pick<AccessClaims, 'sub' | 'tid' | 'sid'>, now = Date.now()): { token: string; expiresAt: Date } {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.ttlSeconds;
    const payload = Buffer.from(JSON.stringify({ iss: ISSUER, ...claims, iat, exp })).toString('base64url');
    const signature = this.signature(`${HEADER}.${payload}`);
    return { token: `${HEADER}.${payload}.${signature}`, expiresAt: new Date(exp * 1000) };
  }

  verify(token: string, now = Date.now()): AccessClaims {
    const claims = this.verified.get(token) ?? this.checkSignature(token);
    if (claims.exp * 1000 <= now) {
      this.verified.delete(token);
      throw new AuthError(AuthErrorCode.ExpiredToken, 'The access token has expired; refresh it.', { header: 'Authorization' });
    }
    return claims;
  }

  private checkSignature(token: string): AccessClaims {
    const invalid = () => new AuthError(AuthErrorCode.InvalidToken, 'The access token is not valid.', { header: 'Authorization' });
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) throw invalid();
    const expected = Buffer.from(this.signature(`${parts[0]}.${parts[1]}`));
    const actual = Buffer.from(parts[2]);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
    let claims: Partial<AccessClaims> & { iss?: string };
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (claims.iss !== ISSUER || typeof claims.sub !== 'string' || typeof claims.tid !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') {
      throw invalid();
    }
    const verified = Object.freeze(claims) as AccessClaims;
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, verified);
    return verified;
  }

  private signature(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}
