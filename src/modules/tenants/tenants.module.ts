import { Module } from '@nestjs/common';
import { resourceController } from '../../infra/json-api/resource-controller';
import { PRINCIPAL_LOADER } from '../../infra/auth/principal-loader';
import { AuthSessionRepository } from './auth-session.repository';
import { DemoSeed } from './demo-seed';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SignupController } from './signup.controller';
import { SignupService } from './signup.service';
import { StoreRepository } from './store.repository';
import { storeResource } from './store.resource';
import { StoreService } from './store.service';
import { TenantController } from './tenant.controller';
import { TenantRepository } from './tenant.repository';
import { tenantResource } from './tenant.resource';
import { TenantService } from './tenant.service';
import { UserRepository } from './user.repository';

/** Signup, sessions, the tenant and its stores. */
@Module({
  controllers: [
    SignupController,
    SessionController,
    TenantController,
    resourceController(tenantResource, TenantService),
    resourceController(storeResource, StoreService),
  ],
  providers: [
    TenantRepository,
    UserRepository,
    AuthSessionRepository,
    StoreRepository,
    TenantService,
    SignupService,
    SessionService,
    StoreService,
    DemoSeed,
    { provide: PRINCIPAL_LOADER, useExisting: SessionService },
  ],
  exports: [PRINCIPAL_LOADER, TenantService, DemoSeed],
})
export class TenantsModule {}
