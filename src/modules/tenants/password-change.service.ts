import { Inject, Injectable } from '@nestjs/common';
import { AUDIT_SINK, type AuditSink } from '../../infra/audit/audit-sink';
import { AuthError, AuthErrorCode } from '../../infra/auth/auth.errors';
import { PasswordHasher } from '../../infra/auth/password-hasher';
import { rateLimited } from '../../infra/auth/rate-limit.guard';
import { RateLimiter } from '../../infra/cache/rate-limiter';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { uuid7 } from '../../infra/database/uuid7';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { AuthSessionRepository } from './auth-session.repository';
import { LOGIN_FAILURES_PER_EMAIL } from './rate-limits';
import { type IssuedSession, SessionService } from './session.service';
import { TenantsError, TenantsErrorCode } from './tenants.errors';
import { UserRepository } from './user.repository';

export type PasswordChange = IssuedSession & { changedAt: Date };

const wrongPassword = () =>
  new TenantsError(TenantsErrorCode.WrongCurrentPassword, 'The current password is wrong.', { pointer: '/data/attributes/currentPassword' });

/**
 * A logged-in person changes their own password (nobody sets another's: a
 * manager resets it, which issues an invite). The current password must be
 * given, and its tries count with the logins of the same account: a stolen
 * access token buys no faster guessing. Every session of the person ends, the
 * asking one too (a token stolen before the change must not outlive it), and a
 * new session comes back in the answer, all in one catalog transaction.
 */
@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly users: UserRepository,
    private readonly sessions: AuthSessionRepository,
    private readonly sessionService: SessionService,
    private readonly passwords: PasswordHasher,
    private readonly limiter: RateLimiter,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
  ) {}

  async change(ctx: RequestContext, currentPassword: string, password: string): Promise<PasswordChange> {
    if (ctx.actor === 'device') throw new AuthError(AuthErrorCode.Forbidden, 'A device token has no password to change.');
    const user = await this.users.findById(ctx, ctx.userId);
    if (!user) throw wrongPassword();
    // Counted before the slow check, in one atomic step, exactly as a login is.
    const attempt = await this.limiter.hit(LOGIN_FAILURES_PER_EMAIL, user.emailIndex);
    if (attempt.count > LOGIN_FAILURES_PER_EMAIL.max) throw rateLimited(attempt.retryAfter);
    if (!(await this.passwords.verify(currentPassword, user.passwordHash))) {
      // As a failed login is: a wrong guess made with a live token is worth an owner's look.
      await this.audit.record(ctx, { action: 'employee.password-change-failed', targetType: 'employees', targetId: user.id });
      throw wrongPassword();
    }
    await this.limiter.reset(LOGIN_FAILURES_PER_EMAIL, user.emailIndex);
    // Hashed before the transaction: scrypt takes a while, and nothing is held meanwhile.
    const passwordHash = await this.passwords.hash(password);
    const changedAt = new Date();
    const issued = await this.catalog.transactional(ctx, async (txCtx) => {
      if (!(await this.users.replacePasswordHash(txCtx, user.id, user.passwordHash, passwordHash, changedAt))) throw wrongPassword();
      await this.sessions.revokeAllOf(ctx.tenantId, user.id, changedAt, txCtx);
      return this.sessionService.open(ctx.tenantId, user.id, txCtx);
    });
    await this.audit.record(ctx, { action: 'employee.password-changed', targetType: 'employees', targetId: user.id });
    return { ...issued, id: uuid7(), changedAt };
  }
}
