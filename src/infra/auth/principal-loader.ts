import type { RequestContext } from '../tenancy/request-context';
import type { AccessClaims } from './access-token';

export type Principal = Omit<RequestContext, 'requestId'>;

/**
 * Turns verified token claims into who is asking now: the session must be live,
 * the user active and the tenant in service. Implemented by the tenants module,
 * which owns those tables; the guard only knows this interface.
 */
export interface PrincipalLoader {
  /** Throws AuthError(SessionRevoked) when the session, user or tenant no longer allows access. */
  load(claims: AccessClaims): Promise<Principal>;
}

export const PRINCIPAL_LOADER = Symbol('PRINCIPAL_LOADER');
