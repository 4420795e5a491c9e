import { AuditEvent } from './audit-event';
import { AuthSession } from './auth-session';
import { DeviceToken } from './device-token';
import { EmployeeInvite } from './employee-invite';
import { Store } from './store';
import { Tenant } from './tenant';
import { TenantFeature } from './tenant-feature';
import { User } from './user';
import { UserStore } from './user-store';

export { AuditEvent, AuthSession, DeviceToken, EmployeeInvite, Store, Tenant, TenantFeature, User, UserStore };

export const TENANTS_CATALOG_ENTITIES = [Tenant, User, AuthSession, UserStore, DeviceToken, TenantFeature, AuditEvent, EmployeeInvite];
export const TENANTS_SHARD_ENTITIES = [Store];
