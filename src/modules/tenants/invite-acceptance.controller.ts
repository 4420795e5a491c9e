import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import type { Limit } from '../../infra/cache/rate-limiter';
import { ActionEndpoint, type ActionSpec } from '../../infra/json-api/action-endpoint';
import type { InviteAcceptanceCreateDto } from './dto/invite-acceptance.dto';
import { EmployeeInviteService } from './employee-invite.service';
import { inviteAcceptanceResource } from './invite-acceptance.resource';

/** Acceptances from one address: tokens cannot be guessed, but each try costs a password hash. */
const ACCEPTANCES_PER_IP: Limit = { scope: 'invites:ip', max: 20, windowSeconds: 600 };

/**
 * No Idempotency-Key: the acceptance changes a login (it sets the password and
 * ends every session), and its token works once, so a repeat can only fail; a
 * stored answer would also have no sender to belong to (the route is public).
 */
const ACCEPTANCE: ActionSpec<InviteAcceptanceCreateDto> = {
  def: inviteAcceptanceResource,
  whole: 'an invite acceptance answers with itself, whole.',
  key: { refuse: 'an acceptance sets a password once (its token is then spent), so it is never answered from storage.' },
};

/** Accepting an invite. */
@Controller('api/v1/invite-acceptances')
export class InviteAcceptanceController {
  constructor(
    private readonly invites: EmployeeInviteService,
    private readonly actions: ActionEndpoint,
  ) {}

  /** The invited employee sets their password; then they log in as anyone does. */
  @Post()
  @Public()
  @RateLimit(ACCEPTANCES_PER_IP)
  create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.actions.create(req, res, ACCEPTANCE, (a) => this.invites.accept(a.token, a.password, req.ip));
  }
}
