import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, RequirePermission } from '../../infra/auth/permissions';
import { reply } from '../../infra/json-api/json-api.reply';
import { parseResourceDocument } from '../../infra/json-api/resource-document';
import { refuseQuery } from '../../infra/json-api/resource-query';
import { API_BASE, JsonApiSerializer } from '../../infra/json-api/serializer';
import { refuseIdempotencyKey } from '../../infra/json-api/write-gate';
import { Ctx } from '../../infra/tenancy/ctx.decorator';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { PasswordChangeCreateDto } from './dto/password-change.dto';
import { passwordChangeResource } from './password-change.resource';
import { PasswordChangeService } from './password-change.service';

/**
 * Changing one's own password. No Idempotency-Key (400, never silently
 * ignored): the answer holds the new session's tokens, which storage must not
 * hand to whoever repeats the request; and a repeat cannot pass anyway, since
 * the current password it names is no longer current.
 */
@Controller('api/v1/password-changes')
export class PasswordChangeController {
  constructor(
    private readonly passwords: PasswordChangeService,
    private readonly serializer: JsonApiSerializer,
  ) {}

  @Post()
  @RequirePermission(Permission.Authenticated)
  async create(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    refuseQuery((req.query ?? {}) as Record<string, unknown>, 'a password change answers with its new session, whole.');
    refuseIdempotencyKey(req, 'the answer holds the new session’s tokens, which are never answered from storage.');
    const { currentPassword, password } = parseResourceDocument(passwordChangeResource, req.body, 'create').attributes as PasswordChangeCreateDto;
    const changed = await this.passwords.change(ctx, currentPassword, password);
    const data = this.serializer.resourceObject(ctx, passwordChangeResource, changed);
    return reply(req, res, { status: 201, document: this.serializer.document({ links: { self: `${API_BASE}/password-changes` }, data }) });
  }
}
