import { Controller, Get, Param } from '@nestjs/common';
import { Permission, RequirePermission } from '../../infra/auth/permissions';
import { QueryOf, Respond } from '../../infra/json-api/decorators';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { UuidParam } from '../../infra/json-api/uuid-param.pipe';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { tenantResource } from './tenant.resource';
import { TenantService } from './tenant.service';

@Controller('api/v1/tenants')
export class TenantController {
  constructor(private readonly tenants: TenantService) {}

  @Get('current')
  @RequirePermission(Permission.TenantRead)
  @Respond(tenantResource, 'single')
  current(@Ctx() ctx: RequestContext, @QueryOf([tenantResource, 'single']) _query: ResourceQuery) {
    return this.tenants.current(ctx);
  }

  @Get(':id')
  @RequirePermission(Permission.TenantRead)
  @Respond(tenantResource, 'single')
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @QueryOf([tenantResource, 'single']) _query: ResourceQuery) {
    return this.tenants.get(ctx, id);
  }
}
