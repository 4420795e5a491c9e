export { ActingEmployees } from './acting-employee';
export { Staff } from './staff';
export { DEMO_LOGIN, DemoSeed } from './demo-seed';
export { TenantService } from './tenant.service';
export { TenantsModule } from './tenants.module';
