import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, Public, RequirePermission } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { ActionEndpoint, type ActionSpec } from '../../infra/json-api/action-endpoint';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { SessionCreateDto } from './dto/session-create.dto';
import { SESSIONS_PER_IP } from './rate-limits';
import { sessionResource } from './session.resource';
import { SessionService } from './session.service';

/**
 * Neither logging in nor out takes an Idempotency-Key: a stored answer would
 * hold live tokens for whoever repeats the request, and replaying a refresh
 * would defeat the detection of a spent refresh token. A login sent again
 * simply opens another session.
 */
const LOGIN: ActionSpec<SessionCreateDto> = {
  def: sessionResource,
  whole: 'a login answers with its session, whole.',
  key: { refuse: 'a login is never answered from storage (the answer holds its tokens); send it again without the key.' },
};
const LOGOUT = {
  whole: 'logging out answers 204 with no document.',
  key: { refuse: 'logging out is final: once it has run, the token it used is refused.' },
};

/** Logging in and out. */
@Controller('api/v1/sessions')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly actions: ActionEndpoint,
  ) {}

  /** Log in with e-mail and password, or trade a refresh token for a new pair. */
  @Post()
  @Public()
  @RateLimit(SESSIONS_PER_IP)
  create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.actions.create(req, res, LOGIN, (a) => (a.refreshToken !== undefined ? this.sessions.refresh(a.refreshToken, req.ip) : this.sessions.login(a.email!, a.password!, req.ip)));
  }

  /** Log out: the session ends, and with it its access and refresh tokens. */
  @Delete('current')
  @HttpCode(204)
  @RequirePermission(Permission.Authenticated)
  remove(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest) {
    return this.actions.act(req, LOGOUT, () => this.sessions.logout(ctx));
  }
}
