import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { reply } from '../../infra/json-api/json-api.reply';
import { parseResourceDocument } from '../../infra/json-api/resource-document';
import { refuseQuery } from '../../infra/json-api/resource-query';
import { API_BASE, JsonApiSerializer } from '../../infra/json-api/serializer';
import { WriteGate } from '../../infra/json-api/write-gate';
import type { SignupCreateDto } from './dto/signup-create.dto';
import { SIGNUP_PER_IP } from './rate-limits';
import { SignupService } from './signup.service';
import { signupResource, tenantResource } from './tenant.resource';

@Controller('api/v1/signup')
export class SignupController {
  constructor(
    private readonly signups: SignupService,
    private readonly serializer: JsonApiSerializer,
    private readonly writes: WriteGate,
  ) {}

  /**
   * Creates a shop and its owner; answers with the tenant. In one catalog
   * transaction with its Idempotency-Key record: a device or web app that retries
   * a signup with the same key gets the same answer, and one shop. Keys are kept
   * per owner e-mail (`WriteGate.runPublic`).
   */
  @Post()
  @Public()
  @RateLimit(SIGNUP_PER_IP)
  create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    refuseQuery((req.query ?? {}) as Record<string, unknown>, 'signup answers with the new tenant, whole.');
    const attributes = parseResourceDocument(signupResource, req.body, 'create').attributes as SignupCreateDto;
    // The key is the owner e-mail's: two strangers who pick the same key do not meet.
    return this.writes
      .runPublic(req, attributes.email, async (tx) => {
        const tenant = await this.signups.signup(attributes, tx);
        const location = `${API_BASE}/tenants/${tenant.id}`;
        const data = this.serializer.resourceObject({ role: 'owner' }, tenantResource, tenant);
        return { status: 201, location, document: this.serializer.document({ links: { self: location }, data }) };
      })
      .then((outcome) => reply(req, res, outcome));
  }
}
