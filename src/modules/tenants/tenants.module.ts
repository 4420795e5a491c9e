import { Module } from '@nestjs/common';
import { resourceController } from '../../infra/json-api/resource-controller';
import { PRINCIPAL_LOADER } from '../../infra/auth/principal-loader';
import { ActingEmployees } from './acting-employee';
import { Staff } from './staff';
import { auditEventResource } from './audit-event.resource';
import { AuditLogService } from './audit-log.service';
import { AuditModule } from './audit.module';
import { AuthSessionRepository } from './auth-session.repository';
import { deviceTokenResource } from './device-token.resource';
import { DeviceTokenService } from './device-token.service';
import { EmployeeRepository } from './employee.repository';
import { employeeResource } from './employee.resource';
import { EmployeeService } from './employee.service';
import { EmployeeInviteService } from './employee-invite.service';
import { InviteAcceptanceController } from './invite-acceptance.controller';
import { DemoSeed } from './demo-seed';
import { PasswordChangeController } from './password-change.controller';
import { PasswordChangeService } from './password-change.service';
import { SessionController } from './session.controller';
import { PrincipalRepository } from './principal.repository';
import { PrincipalService } from './principal.service';
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

/** Signup, sessions, the tenant and its stores, employees, devices, the audit log. */
@Module({
  imports: [AuditModule],
  controllers: [
    SignupController,
    SessionController,
    InviteAcceptanceController,
    PasswordChangeController,
    TenantController,
    resourceController(tenantResource, TenantService),
    resourceController(storeResource, StoreService),
    resourceController(employeeResource, EmployeeService),
    resourceController(deviceTokenResource, DeviceTokenService),
    resourceController(auditEventResource, AuditLogService),
  ],
  providers: [
    Staff,
    ActingEmployees,
    TenantRepository,
    UserRepository,
    AuthSessionRepository,
    StoreRepository,
    TenantService,
    SignupService,
    SessionService,
    StoreService,
    DemoSeed,
    EmployeeRepository,
    EmployeeService,
    EmployeeInviteService,
    PasswordChangeService,
    DeviceTokenService,
    PrincipalRepository,
    PrincipalService,
    { provide: PRINCIPAL_LOADER, useExisting: PrincipalService },
  ],
  exports: [PRINCIPAL_LOADER, TenantService, DemoSeed, ActingEmployees, Staff],
})
export class TenantsModule {}
