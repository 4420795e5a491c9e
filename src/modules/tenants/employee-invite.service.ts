import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AUDIT_SINK, type AuditSink } from '../../infra/audit/audit-sink';
import { AuthError, AuthErrorCode } from '../../infra/auth/auth.errors';
import { PasswordHasher } from '../../infra/auth/password-hasher';
import { PrincipalVersions } from '../../infra/auth/principal-versions';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { uuid7 } from '../../infra/database/uuid7';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { InviteTokenCodec } from './secret-token-codec';
import { AuthSession, EmployeeInvite, User } from './entities';

/** How long an invite (or a password reset) can be accepted. */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface IssuedInvite {
  inviteToken: string;
  inviteExpiresAt: Date;
}

const invalidInvite = () =>
  new AuthError(AuthErrorCode.InvalidToken, 'This invite is not valid: it was used, replaced or has expired. Ask for a new one.', { pointer: '/data/attributes/token' });

/**
 * Invites: a new employee (or one whose password was reset) gets a one-time token,
 * shown once to whoever invited them (there is no mail service yet), with which
 * they set their own password. Nobody else ever sets it.
 */
@Injectable()
export class EmployeeInviteService {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly passwords: PasswordHasher,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    private readonly principals: PrincipalVersions,
  ) {}

  /** A new invite for `userId`; any earlier one stops working. */
  async issue(ctx: RequestContext, userId: string): Promise<IssuedInvite> {
    const id = uuid7();
    const { token, secretHash } = InviteTokenCodec.issue(ctx.tenantId, id);
    const now = new Date();
    const invite: EmployeeInvite = { tenantId: ctx.tenantId, id, userId, secretHash, expiresAt: new Date(now.getTime() + INVITE_TTL_MS), createdBy: ctx.userId, createdAt: now };
    await this.catalog.transaction(async (em) => {
      await em.delete(EmployeeInvite, { tenantId: ctx.tenantId, userId });
      await em.insert(EmployeeInvite, invite);
    }, ctx);
    return { inviteToken: token, inviteExpiresAt: invite.expiresAt };
  }

  /**
   * Sets the invited employee's password and spends the invite; every session
   * they had ends (a reset means the old password must not linger anywhere).
   */
  async accept(token: string, password: string, clientIp?: string): Promise<{ id: string; acceptedAt: Date }> {
    const parts = InviteTokenCodec.parse(token);
    const found = parts && (await this.catalog.manager.findOneBy(EmployeeInvite, { tenantId: parts.tenantId, id: parts.id }));
    const now = new Date();
    if (!parts || !found || found.expiresAt <= now || !InviteTokenCodec.matches(parts.secret, found.secretHash)) throw invalidInvite();
    // Hashed before the transaction: scrypt takes a while, and nothing is held meanwhile.
    const passwordHash = await this.passwords.hash(password);
    await this.catalog.transactional({}, async (tx) => {
      const em = this.catalog.managerFor(tx);
      // Only one of two concurrent acceptances deletes the row; a deactivated employee keeps theirs for later.
      if (!(await em.delete(EmployeeInvite, { tenantId: found.tenantId, id: found.id })).affected) throw invalidInvite();
      const updated = await em.update(User, { tenantId: found.tenantId, id: found.userId, active: true }, { passwordHash, updatedAt: now });
      if (!updated.affected) throw invalidInvite();
      await em.update(AuthSession, { tenantId: found.tenantId, userId: found.userId, revokedAt: IsNull() }, { revokedAt: now });
      await this.principals.touchUser(tx, found.tenantId, found.userId);
    });
    await this.audit.record(
      { tenantId: found.tenantId, userId: found.userId, actor: 'user', clientIp },
      { action: 'employee.invite-accepted', targetType: 'employees', targetId: found.userId },
    );
    return { id: found.id, acceptedAt: now };
  }
}
