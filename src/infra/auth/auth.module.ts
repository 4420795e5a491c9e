import { Global, Module } from '@nestjs/common';
import { AccessTokenService } from './access-token';
import { PasswordHasher } from './password-hasher';
import { PrincipalCache } from './principal-cache';
import { PrincipalVersions } from './principal-versions';

@Global()
@Module({
  providers: [AccessTokenService, PasswordHasher, PrincipalCache, PrincipalVersions],
  exports: [AccessTokenService, PasswordHasher, PrincipalCache, PrincipalVersions],
})
export class AuthModule {}
