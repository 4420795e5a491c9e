import { Controller, HttpCode, Post } from '@nestjs/common';
import { Public } from '../../infra/auth/permissions';
import { RateLimit } from '../../infra/auth/rate-limit.guard';
import { BodyOf, Respond } from '../../infra/json-api/decorators';
import type { ParsedResource } from '../../infra/json-api/resource-document';
import { SignupCreateDto } from './dto/signup-create.dto';
import { SIGNUP_PER_IP } from './rate-limits';
import { SignupService } from './signup.service';
import { signupResource, tenantResource } from './tenant.resource';

@Controller('api/v1/signup')
export class SignupController {
  constructor(private readonly signups: SignupService) {}

  @Post()
  @Public()
  @RateLimit(SIGNUP_PER_IP)
  @HttpCode(201)
  @Respond(tenantResource, 'created')
  create(@BodyOf([signupResource, SignupCreateDto, 'create']) body: ParsedResource<SignupCreateDto>) {
    return this.signups.signup(body.attributes);
  }
}
