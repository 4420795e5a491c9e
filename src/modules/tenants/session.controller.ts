import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, Public, RequirePermission } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { reply } from '../../infra/json-api/json-api.reply';
import { parseResourceDocument } from '../../infra/json-api/resource-document';
import { refuseQuery } from '../../infra/json-api/resource-query';
import { API_BASE, JsonApiSerializer } from '../../infra/json-api/serializer';
import { refuseIdempotencyKey } from '../../infra/json-api/write-gate';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { SessionCreateDto } from './dto/session-create.dto';
import { SESSIONS_PER_IP } from './rate-limits';
import { sessionResource } from './session.resource';
import { SessionService } from './session.service';

const query = (req: FastifyRequest) => (req.query ?? {}) as Record<string, unknown>;

/**
 * Logging in and out. Neither takes an Idempotency-Key (400, never silently
 * ignored): a stored answer would hold live tokens for whoever repeats the
 * request, and replaying a refresh would defeat the detection of a spent refresh
 * token. A login sent again simply opens another session.
 */
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
    refuseQuery(query(req), 'a login answers with its session, whole.');
    refuseIdempotencyKey(req, 'a login is never answered from storage (the answer holds its tokens); send it again without the key.');
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
  remove(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest) {
    refuseQuery(query(req), 'logging out answers 204 with no document.');
    refuseIdempotencyKey(req, 'logging out is final: once it has run, the token it used is refused.');
    return this.sessions.logout(ctx);
  }
}
