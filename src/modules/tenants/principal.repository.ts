import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../../infra/auth/principal-loader';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import type { Role } from '../../infra/tenancy/request-context';
import { AuthSession, DeviceToken, Tenant, TenantFeature, User, UserStore } from './entities';

interface Row {
  shardId: string;
  currency: string;
  status: Principal['tenantStatus'];
  role: Role;
  stores: string | null;
  features: string | null;
}

const list = (csv: string | null): string[] => (csv ? csv.split(',') : []);

/**
 * The one catalog query behind a credential: is it live, who is it, which stores
 * and flags come with it. Stores and flags arrive as comma lists from correlated
 * sub-queries, so it stays one round trip. Its answers are kept in process
 * (`PrincipalCache`) while the principal versions they were read under are current.
 */
@Injectable()
export class PrincipalRepository {
  constructor(private readonly catalog: CatalogDatabase) {}

  /** The session's principal, and when the session ends (its principal is not used past that). */
  async forSession(tenantId: string, sessionId: string, userId: string, now: Date): Promise<{ principal: Principal; expiresAt: Date } | null> {
    const qb = this.catalog.manager
      .createQueryBuilder(AuthSession, 's')
      .innerJoin(User, 'u', 'u.tenantId = s.tenantId AND u.id = s.userId')
      .innerJoin(Tenant, 't', 't.id = s.tenantId');
    const row = await this.common(qb)
      .addSelect('u.role', 'role')
      .addSelect('s.expiresAt', 'expiresAt')
      .addSelect((sub) => sub.select('GROUP_CONCAT(us.storeId)').from(UserStore, 'us').where('us.tenantId = u.tenantId AND us.userId = u.id'), 'stores')
      .andWhere('s.tenantId = :tenantId AND s.id = :sessionId AND s.userId = :userId', { tenantId, sessionId, userId })
      .andWhere('s.revokedAt IS NULL AND s.expiresAt > :now AND u.active = :active', { now, active: true })
      .getRawOne<Row & { expiresAt: unknown }>();
    if (!row) return null;
    // Raw rows carry the driver's form of a datetime (a Date on MySQL, text on SQLite): read it as the entity would.
    const expiresAt = this.catalog.dataSource.driver.prepareHydratedValue(row.expiresAt, this.catalog.dataSource.getMetadata(AuthSession).findColumnWithPropertyName('expiresAt')!) as Date;
    return { principal: this.principal(tenantId, userId, sessionId, 'user', row, row.role === 'owner' ? 'all' : list(row.stores)), expiresAt };
  }

  async forDevice(tenantId: string, deviceId: string): Promise<{ principal: Principal; secretHash: string } | null> {
    const qb = this.catalog.manager.createQueryBuilder(DeviceToken, 'd').innerJoin(Tenant, 't', 't.id = d.tenantId');
    const row = await this.common(qb)
      .addSelect('d.secretHash', 'secretHash')
      .addSelect('d.storeId', 'storeId')
      .andWhere('d.tenantId = :tenantId AND d.id = :deviceId AND d.revokedAt IS NULL', { tenantId, deviceId })
      .getRawOne<Row & { secretHash: string; storeId: string }>();
    if (!row) return null;
    // A device acts as a florist of its one store.
    return { principal: this.principal(tenantId, deviceId, deviceId, 'device', { ...row, role: 'florist' }, [row.storeId]), secretHash: row.secretHash };
  }

  async touchDevice(tenantId: string, deviceId: string, now: Date): Promise<void> {
    await this.catalog.manager.update(DeviceToken, { tenantId, id: deviceId }, { lastUsedAt: now });
  }

  /** What every principal needs from its tenant; replaces the query's selection, so call it first. */
  private common<T extends object>(qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
    return qb
      .select('t.shardId', 'shardId')
      .addSelect('t.currency', 'currency')
      .addSelect('t.status', 'status')
      .addSelect((sub) => sub.select('GROUP_CONCAT(f.flag)').from(TenantFeature, 'f').where('f.tenantId = t.id AND f.enabled = :on', { on: true }), 'features')
      .where('t.status IN (:...statuses)', { statuses: ['active', 'moving'] });
  }

  /** Frozen: one principal serves many requests from the cache, and none may change it for the others. */
  private principal(tenantId: string, userId: string, sessionId: string, actor: 'user' | 'device', row: Row, storeIds: Principal['storeIds']): Principal {
    return Object.freeze({
      tenantId,
      shardId: row.shardId,
      userId,
      role: row.role,
      sessionId,
      actor,
      currency: row.currency,
      storeIds: storeIds === 'all' ? storeIds : Object.freeze(storeIds),
      features: Object.freeze(list(row.features)),
      tenantStatus: row.status,
    });
  }
}
