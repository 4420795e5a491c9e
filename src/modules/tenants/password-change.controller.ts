import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, RequirePermission } from '../../infra/auth/permissions';
import { ActionEndpoint, type ActionSpec } from '../../infra/json-api/action-endpoint';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { PasswordChangeCreateDto } from './dto/password-change.dto';
import { passwordChangeResource } from './password-change.resource';
import { PasswordChangeService } from './password-change.service';

/**
 * No Idempotency-Key: the answer holds the new session's tokens, which storage
 * must not hand to whoever repeats the request; and a repeat cannot pass
 * anyway, since the current password it names is no longer current.
 */
const PASSWORD_CHANGE: ActionSpec<PasswordChangeCreateDto> = {
  def: passwordChangeResource,
  whole: 'a password change answers with its new session, whole.',
  key: { refuse: 'the answer holds the new session’s tokens, which are never answered from storage.' },
};

/** Changing one's own password. */
@Controller('api/v1/password-changes')
export class PasswordChangeController {
  constructor(
    private readonly passwords: PasswordChangeService,
    private readonly actions: ActionEndpoint,
  ) {}

  @Post()
  @RequirePermission(Permission.Authenticated)
  create(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.actions.create(req, res, PASSWORD_CHANGE, (a) => this.passwords.change(ctx, a.currentPassword, a.password));
  }
}
