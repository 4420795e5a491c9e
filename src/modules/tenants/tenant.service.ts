import { Injectable } from '@nestjs/common';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { TenantUpdateDto } from './dto/tenant-update.dto';
import type { Tenant } from './entities';
import { TenantRepository } from './tenant.repository';
import { TenantsError, TenantsErrorCode } from './tenants.errors';

/** The `tenants` resource: a caller sees its own tenant only; any other id is as missing as an unknown one. */
@Injectable()
export class TenantService implements ResourceHandler<Tenant> {
  constructor(private readonly tenants: TenantRepository) {}

  async current(ctx: RequestContext): Promise<Tenant> {
    const tenant = await this.tenants.findById(ctx.tenantId, ctx);
    if (!tenant) throw new TenantsError(TenantsErrorCode.TenantNotFound, 'The tenant no longer exists.');
    return tenant;
  }

  async findPage(ctx: RequestContext): Promise<Page<Tenant>> {
    return { items: [await this.current(ctx)], total: 1 };
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Tenant[]> {
    return ids.includes(ctx.tenantId) ? [await this.current(ctx)] : [];
  }

  async update(ctx: RequestContext, id: string, { attributes }: ResourceInput<TenantUpdateDto>): Promise<Tenant> {
    await this.tenants.update(
      id,
      {
        ...(attributes.name !== undefined && { name: attributes.name.trim() }),
        ...(attributes.timeZone !== undefined && { timeZone: attributes.timeZone }),
        updatedAt: new Date(),
      },
      ctx,
    );
    return this.current(ctx);
  }
}
