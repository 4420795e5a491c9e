import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import type { Limit } from '../../infra/cache/rate-limiter';
import { reply } from '../../infra/json-api/json-api.reply';
import { parseResourceDocument } from '../../infra/json-api/resource-document';
import { refuseQuery } from '../../infra/json-api/resource-query';
import { API_BASE, JsonApiSerializer } from '../../infra/json-api/serializer';
import { refuseIdempotencyKey } from '../../infra/json-api/write-gate';
import type { InviteAcceptanceCreateDto } from './dto/invite-acceptance.dto';
import { EmployeeInviteService } from './employee-invite.service';
import { inviteAcceptanceResource } from './invite-acceptance.resource';

/** Acceptances from one address: tokens cannot be guessed, but each try costs a password hash. */
const ACCEPTANCES_PER_IP: Limit = { scope: 'invites:ip', max: 20, windowSeconds: 600 };

/**
 * Accepting an invite. No Idempotency-Key (400, never silently ignored): the
 * acceptance changes a login (it sets the password and ends every session), and
 * its token works once, so a repeat can only fail; a stored answer would also
 * have no sender to belong to (the route is public).
 */
@Controller('api/v1/invite-acceptances')
export class InviteAcceptanceController {
  constructor(
    private readonly invites: EmployeeInviteService,
    private readonly serializer: JsonApiSerializer,
  ) {}

  /** The invited employee sets their password; then they log in as anyone does. */
  @Post()
  @Public()
  @RateLimit(ACCEPTANCES_PER_IP)
  async create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    refuseQuery((req.query ?? {}) as Record<string, unknown>, 'an invite acceptance answers with itself, whole.');
    refuseIdempotencyKey(req, 'an acceptance sets a password once (its token is then spent), so it is never answered from storage.');
    const { token, password } = parseResourceDocument(inviteAcceptanceResource, req.body, 'create').attributes as InviteAcceptanceCreateDto;
    const accepted = await this.invites.accept(token, password, req.ip);
    const data = this.serializer.resourceObject(undefined, inviteAcceptanceResource, accepted);
    return reply(req, res, { status: 201, document: this.serializer.document({ links: { self: `${API_BASE}/invite-acceptances` }, data }) });
  }
}
