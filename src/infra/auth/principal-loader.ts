import type { RequestContext } from '../tenancy/request-context';
import type { AccessClaims } from './access-token';

export type Principal = Omit<RequestContext, 'requestId' | 'tx'> & {
  /** `moving`: reads go on, writes wait until the tenant's data is on its new shard. */
  tenantStatus: 'active' | 'moving';
};

/** Device tokens are told from access tokens by this prefix. */
export const DEVICE_TOKEN_PREFIX = 'bdd1.';

/**
 * Turns a verified credential into who is asking now: the session (or device)
 * must be live, the user active and the tenant in service; scope and feature
 * flags come with it. Implemented by the tenants module, which owns those
 * tables; the guard only knows this interface. Each returns null when the
 * credential no longer allows access.
 */
export interface PrincipalLoader {
  fromAccessToken(claims: AccessClaims): Promise<Principal | null>;
  fromDeviceToken(token: string): Promise<Principal | null>;
}

export const PRINCIPAL_LOADER = Symbol('PRINCIPAL_LOADER');
