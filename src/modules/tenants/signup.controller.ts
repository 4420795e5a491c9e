import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { ActionEndpoint, type ActionSpec } from '../../infra/json-api/action-endpoint';
import type { SignupCreateDto } from './dto/signup-create.dto';
import { SIGNUP_PER_IP } from './rate-limits';
import { SignupService } from './signup.service';
import { signupResource, tenantResource } from './tenant.resource';

/**
 * A signup keeps its Idempotency-Key in its own catalog transaction: a device
 * or web app that retries a signup with the same key gets the same answer, and
 * one shop. The key is the owner e-mail's: two strangers who pick the same key
 * do not meet.
 */
const SIGNUP: ActionSpec<SignupCreateDto> = {
  def: signupResource,
  answer: tenantResource,
  whole: 'signup answers with the new tenant, whole.',
  key: { publicWriter: (attributes) => attributes.email },
  viewer: { role: 'owner' },
};

@Controller('api/v1/signup')
export class SignupController {
  constructor(
    private readonly signups: SignupService,
    private readonly actions: ActionEndpoint,
  ) {}

  /** Creates a shop and its owner; answers with the tenant. */
  @Post()
  @Public()
  @RateLimit(SIGNUP_PER_IP)
  create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.actions.create(req, res, SIGNUP, (attributes, tx) => this.signups.signup(attributes, tx));
  }
}
