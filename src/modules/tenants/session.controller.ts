import { Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { Permission, Public, RequirePermission } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { BodyOf, Respond } from '../../infra/json-api/decorators';
import type { ParsedResource } from '../../infra/json-api/resource-document';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { SessionCreateDto } from './dto/session-create.dto';
import { SESSIONS_PER_IP } from './rate-limits';
import { sessionResource } from './session.resource';
import { SessionService } from './session.service';

@Controller('api/v1/sessions')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  /** Log in with e-mail and password, or trade a refresh token for a new pair. */
  @Post()
  @Public()
  @RateLimit(SESSIONS_PER_IP)
  @HttpCode(201)
  @Respond(sessionResource, 'single')
  create(@BodyOf([sessionResource, SessionCreateDto, 'create']) { attributes: a }: ParsedResource<SessionCreateDto>) {
    return a.refreshToken !== undefined ? this.sessions.refresh(a.refreshToken) : this.sessions.login(a.email!, a.password!);
  }

  /** Log out: the session ends, and with it its access and refresh tokens. */
  @Delete('current')
  @HttpCode(204)
  @RequirePermission(Permission.SessionEnd)
  @Respond(null, 'empty')
  remove(@Ctx() ctx: RequestContext) {
    return this.sessions.logout(ctx);
  }
}
