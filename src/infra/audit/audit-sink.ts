import type { RequestContext } from '../tenancy/request-context';

export interface AuditEventInput {
  /** e.g. `login.failed`, `employee.role-changed`, `products.deleted`, `AuditAction.DataExported`. */
  action: string;
  targetType?: string;
  targetId?: string;
  /** Facts about the event; never personal data (ids and codes, not names or phones). */
  details?: Record<string, string | number | boolean | null>;
}

/** Actions recorded by infrastructure that modules call into (the rest are named where they happen). */
export enum AuditAction {
  /** Records of a type left the system in a file or a bulk answer (`recordExport`). */
  DataExported = 'data.exported',
}

/** Who acted: a request context, or (before login) just the tenant and the address. */
export type AuditActor = Pick<RequestContext, 'tenantId' | 'userId' | 'actor' | 'clientIp'> | { tenantId: string; clientIp?: string; userId?: undefined; actor?: undefined };

/**
 * Where security-relevant events go (the tenants module keeps them in the
 * catalog, readable by the owner). Infrastructure records through this interface
 * so it need not know the module. An event that cannot be recorded is logged
 * (its action, never its data) and counted on `/metrics` as
 * `bloomdesk_audit_events_lost_total`.
 */
export interface AuditSink {
  /**
   * For events that follow what they describe (a login, a deletion already
   * committed): never throws, so the outcome the client gets stays true.
   */
  record(actor: AuditActor, event: AuditEventInput): Promise<void>;
  /** For events that must be on record before the act happens (an export): throws when it cannot be recorded. */
  recordOrFail(actor: AuditActor, event: AuditEventInput): Promise<void>;
}

export const AUDIT_SINK = Symbol('AUDIT_SINK');
