import { Inject, Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { AUDIT_SINK, type AuditSink } from '../../infra/audit/audit-sink';
import { PrincipalVersions } from '../../infra/auth/principal-versions';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { type RequestContext, inStoreScope } from '../../infra/tenancy/request-context';
import { DeviceTokenCodec } from './secret-token-codec';
import type { DeviceTokenCreateDto } from './dto/device-token.dto';
import { DeviceToken } from './entities';
import { TenantsError, TenantsErrorCode } from './tenants.errors';

/** The token exists only in memory on the way out of the create request. */
type DeviceView = DeviceToken & { token?: string };

/**
 * The `device-tokens` resource (catalog). Revoked tokens disappear from the API;
 * the audit log keeps who created and revoked them. A manager handles the devices
 * of their own stores.
 */
@Injectable()
export class DeviceTokenService implements ResourceHandler<DeviceView> {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly shards: ShardRegistry,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    private readonly principals: PrincipalVersions,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<DeviceView>> {
    const qb = this.catalog
      .managerFor(ctx)
      .createQueryBuilder(DeviceToken, 'd')
      .where('d.tenantId = :tenantId AND d.revokedAt IS NULL', { tenantId: ctx.tenantId });
    if (ctx.storeIds !== 'all') qb.andWhere('d.storeId IN (:...scope)', { scope: ctx.storeIds.length ? ctx.storeIds : ['-'] });
    return findResourcePage(qb, query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<DeviceView[]> {
    const found = await this.catalog.managerFor(ctx).findBy(DeviceToken, { tenantId: ctx.tenantId, id: In([...ids]), revokedAt: IsNull() });
    return found.filter((d) => inStoreScope(ctx, d.storeId));
  }

  async create(ctx: RequestContext, { id, attributes, relationships }: ResourceInput<DeviceTokenCreateDto>): Promise<DeviceView> {
    const storeId = relationships.store as string;
    if (!inStoreScope(ctx, storeId)) {
      throw new TenantsError(TenantsErrorCode.StoreOutOfScope, 'You do not work in that store.', { pointer: '/data/relationships/store/data' });
    }
    const deviceId = id ?? uuid7();
    const { token, secretHash } = DeviceTokenCodec.issue(ctx.tenantId, deviceId);
    const now = new Date();
    const device: DeviceToken = {
      tenantId: ctx.tenantId,
      id: deviceId,
      name: attributes.name.trim(),
      storeId,
      secretHash,
      createdBy: ctx.userId,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.catalog.managerFor(ctx).insert(DeviceToken, device);
    this.shards.afterCommit(ctx, () => this.audit.record(ctx, { action: 'device.created', targetType: 'device-tokens', targetId: deviceId, details: { storeId } }));
    return { ...device, token };
  }

  /** Revokes: the device's next request is refused. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    const now = new Date();
    await this.catalog.managerFor(ctx).update(DeviceToken, { tenantId: ctx.tenantId, id }, { revokedAt: now, updatedAt: now });
    await this.principals.touchUser(ctx, ctx.tenantId, id);
  }
}
