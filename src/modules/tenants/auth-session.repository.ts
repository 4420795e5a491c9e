import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { PrincipalVersions } from '../../infra/auth/principal-versions';
import { CatalogDatabase, type CatalogTxContext } from '../../infra/database/catalog-database';
import { AuthSession } from './entities';

/**
 * Login sessions in the catalog, always addressed by (tenant, id). Ending sessions
 * moves the user's principal version after the commit, so every instance refuses
 * their access tokens from the next request on.
 */
@Injectable()
export class AuthSessionRepository {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly principals: PrincipalVersions,
  ) {}

  /** In `within`'s catalog transaction when it is in one (a password change opens the new session with it). */
  async insert(session: AuthSession, within?: CatalogTxContext): Promise<void> {
    await this.catalog.managerFor(within).insert(AuthSession, session);
  }

  findLive(tenantId: string, id: string, now: Date): Promise<AuthSession | null> {
    return this.catalog.manager
      .createQueryBuilder(AuthSession, 's')
      .where('s.tenantId = :tenantId AND s.id = :id AND s.revokedAt IS NULL AND s.expiresAt > :now', { tenantId, id, now })
      .getOne();
  }

  /** Ends every session of a user (deactivation), in `within`'s catalog transaction when it is in one. */
  async revokeAllOf(tenantId: string, userId: string, now: Date, within?: CatalogTxContext): Promise<void> {
    await this.catalog.transactional(within ?? {}, async (tx) => {
      await this.catalog.managerFor(tx).update(AuthSession, { tenantId, userId, revokedAt: IsNull() }, { revokedAt: now });
      await this.principals.touchUser(tx, tenantId, userId);
    });
  }

  /** Moves the session to the next generation if nobody else did first. */
  async advance(tenantId: string, id: string, fromGeneration: number, now: Date): Promise<boolean> {
    const result = await this.catalog.manager.update(
      AuthSession,
      { tenantId, id, generation: fromGeneration, revokedAt: IsNull() },
      { generation: fromGeneration + 1, refreshedAt: now },
    );
    return (result.affected ?? 0) > 0;
  }

  async revoke(tenantId: string, id: string, now: Date): Promise<void> {
    await this.catalog.transactional({}, async (tx) => {
      const em = this.catalog.managerFor(tx);
      const session = await em.findOne(AuthSession, { select: { userId: true }, where: { tenantId, id } });
      await em.update(AuthSession, { tenantId, id, revokedAt: IsNull() }, { revokedAt: now });
      if (session) await this.principals.touchUser(tx, tenantId, session.userId);
    });
  }
}
