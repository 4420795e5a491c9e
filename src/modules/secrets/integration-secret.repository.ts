import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { findResourcePage } from '../../infra/database/resource-page';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { IntegrationSecret } from './entities';

type Changes = Partial<Pick<IntegrationSecret, 'name' | 'kind' | 'version' | 'valueCiphertext' | 'updatedAt'>>;

/** Integration credential metadata on the tenant's shard; every statement scoped by tenant. */
@Injectable()
export class IntegrationSecretRepository {
  constructor(private readonly shards: ShardRegistry) {}

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<IntegrationSecret>> {
    const em = await this.shards.manager(ctx);
    return findResourcePage(em.createQueryBuilder(IntegrationSecret, 's').where('s.tenantId = :tenantId', { tenantId: ctx.tenantId }), query);
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<IntegrationSecret[]> {
    return (await this.shards.manager(ctx)).findBy(IntegrationSecret, { tenantId: ctx.tenantId, id: In([...ids]) });
  }

  /**
   * The row, locked until the transaction ends (MySQL), so two changes of one
   * credential write their Vault versions one after the other. The embedded
   * profile runs one transaction at a time and needs no lock.
   */
  async findForUpdate(ctx: RequestContext, id: string): Promise<IntegrationSecret | null> {
    const em = await this.shards.manager(ctx);
    const query = em.createQueryBuilder(IntegrationSecret, 's').where('s.tenantId = :tenantId AND s.id = :id', { tenantId: ctx.tenantId, id });
    return (em.connection.options.type === 'mysql' ? query.setLock('pessimistic_write') : query).getOne();
  }

  async insert(ctx: RequestContext, secret: Omit<IntegrationSecret, 'tenantId'>): Promise<IntegrationSecret> {
    const row = { ...secret, tenantId: ctx.tenantId };
    await (await this.shards.manager(ctx)).insert(IntegrationSecret, row);
    return row;
  }

  async update(ctx: RequestContext, id: string, changes: Changes): Promise<void> {
    await (await this.shards.manager(ctx)).update(IntegrationSecret, { tenantId: ctx.tenantId, id }, changes);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await (await this.shards.manager(ctx)).delete(IntegrationSecret, { tenantId: ctx.tenantId, id });
  }
}
