import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, Public, RequirePermission } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { reply } from '../../infra/json-api/json-api.reply';
import { parseResourceDocument } from '../../infra/json-api/resource-document';
import { API_BASE, JsonApiSerializer } from '../../infra/json-api/serializer';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { SessionCreateDto } from './dto/session-create.dto';
import { SESSIONS_PER_IP } from './rate-limits';
import { sessionResource } from './session.resource';
import { SessionService } from './session.service';

@Controller('api/v1/sessions')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly serializer: JsonApiSerializer,
  ) {}

  /** Log in with e-mail and password, or trade a refresh token for a new pair. */
  @Post()
  @Public()
  @RateLimit(SESSIONS_PER_IP)
  async create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const a = parseResourceDocument(sessionResource, req.body, 'create').attributes as SessionCreateDto;
    const session =
      a.refreshToken !== undefined ? await this.sessions.refresh(a.refreshToken, req.ip) : await this.sessions.login(a.email!, a.password!, req.ip);
    const data = this.serializer.resourceObject(undefined, sessionResource, session);
    return reply(req, res, { status: 201, document: this.serializer.document({ links: { self: `${API_BASE}/sessions` }, data }) });
  }

  /** Log out: the session ends, and with it its access and refresh tokens. */
  @Delete('current')
  @HttpCode(204)
  @RequirePermission(Permission.Authenticated)
  remove(@Ctx() ctx: RequestContext) {
    return this.sessions.logout(ctx);
  }
}
