import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { Tenant } from './entities';
import { TenantRepository } from './tenant.repository';
import { TenantsError, TenantsErrorCode } from './tenants.errors';

@Injectable()
export class TenantService {
  constructor(private readonly tenants: TenantRepository) {}

  async current(ctx: RequestContext): Promise<Tenant> {
    const tenant = await this.tenants.findById(ctx.tenantId);
    if (!tenant) throw new TenantsError(TenantsErrorCode.TenantNotFound, 'The tenant no longer exists.');
    return tenant;
  }

  /** Only the caller's own tenant is visible; any other id is as missing as an unknown one. */
  async get(ctx: RequestContext, id: string): Promise<Tenant> {
    if (id !== ctx.tenantId) throw new TenantsError(TenantsErrorCode.TenantNotFound, `No tenant with id ${id}.`);
    return this.current(ctx);
  }
}
