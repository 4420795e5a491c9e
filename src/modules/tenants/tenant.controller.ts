import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, RequirePermission } from '../../infra/auth/permissions';
import { reply } from '../../infra/json-api/json-api.reply';
import { ResourceEngine } from '../../infra/json-api/resource-engine';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { tenantResource } from './tenant.resource';

/** `/tenants/current`: the caller's own shop, without knowing its id. */
@Controller('api/v1/tenants/current')
export class TenantController {
  constructor(private readonly engine: ResourceEngine) {}

  @Get()
  @RequirePermission(Permission.TenantRead)
  async current(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const { document } = await this.engine.fetch(ctx, tenantResource, ctx.tenantId, (req.query ?? {}) as Record<string, unknown>, req.url);
    return reply(req, res, { status: 200, document });
  }
}
