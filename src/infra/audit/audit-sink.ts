import type { RequestContext } from '../tenancy/request-context';

export interface AuditEventInput {
  /** e.g. `login.failed`, `employee.role-changed`, `products.deleted`. */
  action: string;
  targetType?: string;
  targetId?: string;
  /** Facts about the event; never personal data (ids and codes, not names or phones). */
  details?: Record<string, string | number | boolean | null>;
}

/** Who acted: a request context, or (before login) just the tenant and the address. */
export type AuditActor = Pick<RequestContext, 'tenantId' | 'userId' | 'actor' | 'clientIp'> | { tenantId: string; clientIp?: string; userId?: undefined; actor?: undefined };

/**
 * Where security-relevant events go (the tenants module keeps them in the
 * catalog, readable by the owner). Infrastructure records through this interface
 * so it need not know the module.
 */
export interface AuditSink {
  record(actor: AuditActor, event: AuditEventInput): Promise<void>;
}

export const AUDIT_SINK = Symbol('AUDIT_SINK');
