import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { reply } from '../../infra/json-api/json-api.reply';
import { parseResourceDocument } from '../../infra/json-api/resource-document';
import { API_BASE, JsonApiSerializer } from '../../infra/json-api/serializer';
import type { SignupCreateDto } from './dto/signup-create.dto';
import { SIGNUP_PER_IP } from './rate-limits';
import { SignupService } from './signup.service';
import { signupResource, tenantResource } from './tenant.resource';

@Controller('api/v1/signup')
export class SignupController {
  constructor(
    private readonly signups: SignupService,
    private readonly serializer: JsonApiSerializer,
  ) {}

  /** Creates a shop and its owner; answers with the tenant. */
  @Post()
  @Public()
  @RateLimit(SIGNUP_PER_IP)
  async create(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const { attributes } = parseResourceDocument(signupResource, req.body, 'create');
    const tenant = await this.signups.signup(attributes as SignupCreateDto);
    const location = `${API_BASE}/tenants/${tenant.id}`;
    const data = this.serializer.resourceObject({ role: 'owner' }, tenantResource, tenant);
    return reply(req, res, { status: 201, location, document: this.serializer.document({ links: { self: location }, data }) });
  }
}
