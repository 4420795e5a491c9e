import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AUDIT_SINK, type AuditSink } from '../../infra/audit/audit-sink';
import { AccessTokenService } from '../../infra/auth/access-token';
import { AuthError, AuthErrorCode } from '../../infra/auth/auth.errors';
import { PasswordHasher } from '../../infra/auth/password-hasher';
import { rateLimited } from '../../infra/auth/rate-limit.guard';
import { RateLimiter } from '../../infra/cache/rate-limiter';
import type { CatalogTxContext } from '../../infra/database/catalog-database';
import { uuid7 } from '../../infra/database/uuid7';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../secrets/encryption.provider';
import { AuthSessionRepository } from './auth-session.repository';
import type { TenantStatus } from './entities/tenant';
import { normaliseEmail } from '../../infra/validation/normalise';
import { LOGIN_FAILURES_PER_EMAIL } from './rate-limits';
import { RefreshTokenCodec } from './refresh-token';
import { TenantRepository } from './tenant.repository';
import { UserRepository } from './user.repository';

/** What a client gets back from a login or a refresh. */
export interface IssuedSession {
  id: string;
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const invalidCredentials = () =>
  new AuthError(AuthErrorCode.InvalidCredentials, 'The e-mail or the password is wrong.', { pointer: '/data/attributes' });
const invalidRefresh = () =>
  new AuthError(AuthErrorCode.InvalidRefreshToken, 'The refresh token is not valid; log in again.', {
    pointer: '/data/attributes/refreshToken',
  });

/**
 * A shop being moved to another shard can still log in: sessions and the audit
 * log live in the catalog, and the guard lets the moving shop read (its writes wait).
 */
const LOGIN_TENANT_STATUSES: ReadonlySet<TenantStatus> = new Set(['active', 'moving']);

/**
 * Logins, refreshes and logouts.
 * Failed logins count per e-mail; past the limit that e-mail must wait (429), so
 * guessing is slowed to a few tries per quarter hour.
 */
@Injectable()
export class SessionService implements OnModuleDestroy {
  private readonly refreshTokens: RefreshTokenCodec;
  /** Audit writes under way that no answer waits for (failed logins). */
  private readonly auditing = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: AuthSessionRepository,
    private readonly users: UserRepository,
    private readonly tenants: TenantRepository,
    private readonly passwords: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly limiter: RateLimiter,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
  ) {
    this.refreshTokens = new RefreshTokenCodec(config.auth.tokenSecret);
  }

  /**
   * Throws AuthError(RateLimited) while the e-mail is locked out after repeated failures.
   * The attempt is counted before the password is checked, in one atomic step: a
   * count read first and raised after the slow scrypt check would let any number
   * of concurrent guesses through. A login that succeeds clears the count. An
   * unknown e-mail is counted and hashed exactly like a known one.
   */
  async login(email: string, password: string, clientIp?: string): Promise<IssuedSession> {
    const [emailIndex] = await this.encryption.blindIndex('', [normaliseEmail(email)]);
    const attempt = await this.limiter.hit(LOGIN_FAILURES_PER_EMAIL, emailIndex);
    if (attempt.count > LOGIN_FAILURES_PER_EMAIL.max) throw rateLimited(attempt.retryAfter);
    const user = await this.users.findByEmailIndex(emailIndex);
    const tenant = user && (await this.tenants.findById(user.tenantId));
    const valid = user ? await this.passwords.verify(password, user.passwordHash) : await this.passwords.burn(password);
    if (!user || !valid || !user.active || !tenant || !LOGIN_TENANT_STATUSES.has(tenant.status)) {
      // An unknown e-mail belongs to no tenant, so only known accounts leave a trace; and the
      // answer does not wait for it, or a known account would answer later than an unknown one.
      if (user) this.inBackground(this.audit.record({ tenantId: user.tenantId, clientIp }, { action: 'login.failed', targetType: 'employees', targetId: user.id }));
      throw invalidCredentials();
    }
    await this.limiter.reset(LOGIN_FAILURES_PER_EMAIL, emailIndex);
    const issued = await this.open(user.tenantId, user.id);
    await this.audit.record({ tenantId: user.tenantId, userId: user.id, actor: 'user', clientIp }, { action: 'login.succeeded', targetType: 'employees', targetId: user.id });
    return issued;
  }

  /** Opens a new session for the user, in `within`'s catalog transaction when it is in one. */
  async open(tenantId: string, userId: string, within?: CatalogTxContext): Promise<IssuedSession> {
    const now = new Date();
    const session = {
      tenantId,
      id: uuid7(),
      userId,
      generation: 1,
      seed: randomBytes(32).toString('base64url'),
      expiresAt: new Date(now.getTime() + this.config.auth.refreshTtlSeconds * 1000),
      revokedAt: null,
      createdAt: now,
      refreshedAt: null,
    };
    await this.sessions.insert(session, within);
    return this.issue(tenantId, session.id, userId, session.generation, session.seed, session.expiresAt);
  }

  /** Rotates a refresh token. A valid token of an earlier generation was replayed: the whole session ends. */
  async refresh(token: string, clientIp?: string): Promise<IssuedSession> {
    const parts = this.refreshTokens.parse(token);
    if (!parts) throw invalidRefresh();
    const now = new Date();
    const session = await this.sessions.findLive(parts.tenantId, parts.sessionId, now);
    if (!session || !this.refreshTokens.matches(parts, session.seed)) throw invalidRefresh();
    if (parts.generation !== session.generation || !(await this.sessions.advance(parts.tenantId, parts.sessionId, parts.generation, now))) {
      await this.sessions.revoke(parts.tenantId, parts.sessionId, now);
      await this.audit.record(
        { tenantId: parts.tenantId, clientIp },
        { action: 'session.refresh-token-reused', targetType: 'employees', targetId: session.userId, details: { session: parts.sessionId } },
      );
      throw invalidRefresh();
    }
    return this.issue(parts.tenantId, parts.sessionId, session.userId, parts.generation + 1, session.seed, session.expiresAt);
  }

  /** Resolves once every audit write the answers did not wait for is done (shutdown; tests that read the log). */
  async auditWritten(): Promise<void> {
    while (this.auditing.size) await Promise.all(this.auditing);
  }

  /**
   * Shutdown waits for those writes. This module is not global, so Nest ends it
   * before the global ones the writes need (the catalog, Vault): none is lost.
   */
  onModuleDestroy(): Promise<void> {
    return this.auditWritten();
  }

  async logout(ctx: RequestContext): Promise<void> {
    await this.sessions.revoke(ctx.tenantId, ctx.sessionId, new Date());
  }

  /** `record` never rejects: the write is only kept track of, for `auditWritten`. */
  private inBackground(write: Promise<void>): void {
    const tracked = write.finally(() => this.auditing.delete(tracked));
    this.auditing.add(tracked);
  }

  private issue(tenantId: string, sessionId: string, userId: string, generation: number, seed: string, refreshExpiresAt: Date): IssuedSession {
    const access = this.accessTokens.sign({ sub: userId, tid: tenantId, sid: sessionId });
    return {
      id: sessionId,
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresAt: access.expiresAt,
      refreshToken: this.refreshTokens.issue(tenantId, sessionId, generation, seed),
      refreshExpiresAt,
    };
  }
}
