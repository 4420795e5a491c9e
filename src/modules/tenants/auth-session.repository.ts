import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { Principal } from '../../infra/auth/principal-loader';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { AuthSession, Tenant, User } from './entities';

/** Login sessions in the catalog, always addressed by (tenant, id). */
@Injectable()
export class AuthSessionRepository {
  constructor(private readonly catalog: CatalogDatabase) {}

  async insert(session: AuthSession): Promise<void> {
    await this.catalog.manager.insert(AuthSession, session);
  }

  findLive(tenantId: string, id: string, now: Date): Promise<AuthSession | null> {
    return this.catalog.manager
      .createQueryBuilder(AuthSession, 's')
      .where('s.tenantId = :tenantId AND s.id = :id AND s.revokedAt IS NULL AND s.expiresAt > :now', { tenantId, id, now })
      .getOne();
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
    await this.catalog.manager.update(AuthSession, { tenantId, id, revokedAt: IsNull() }, { revokedAt: now });
  }

  /** Who holds a session, if the session, the user and the tenant all still allow access. One query. */
  async findPrincipal(tenantId: string, sessionId: string, userId: string, now: Date): Promise<Principal | null> {
    const row = await this.catalog.manager
      .createQueryBuilder(AuthSession, 's')
      .innerJoin(User, 'u', 'u.tenantId = s.tenantId AND u.id = s.userId')
      .innerJoin(Tenant, 't', 't.id = s.tenantId')
      .select(['t.shardId AS shardId', 'u.role AS role'])
      .where('s.tenantId = :tenantId AND s.id = :sessionId AND s.userId = :userId', { tenantId, sessionId, userId })
      .andWhere('s.revokedAt IS NULL AND s.expiresAt > :now AND u.active = :active AND t.status = :status', {
        now,
        active: true,
        status: 'active',
      })
      .getRawOne<{ shardId: string; role: Principal['role'] }>();
    return row ? { tenantId, shardId: row.shardId, userId, role: row.role, sessionId } : null;
  }
}
