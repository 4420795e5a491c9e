import { AuthSession } from './auth-session';
import { Store } from './store';
import { Tenant } from './tenant';
import { User } from './user';

export { AuthSession, Store, Tenant, User };

export const TENANTS_CATALOG_ENTITIES = [Tenant, User, AuthSession];
export const TENANTS_SHARD_ENTITIES = [Store];
