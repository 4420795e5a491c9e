import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { In } from 'typeorm';
import type { AuditActor, AuditEventInput, AuditSink } from '../../infra/audit/audit-sink';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { findResourcePage } from '../../infra/database/resource-page';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import { Metrics } from '../../infra/observability/metrics';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../secrets/encryption.provider';
import { SecretsError, SecretsErrorCode } from '../secrets/secrets.errors';
import { AuditEvent } from './entities';

/** An event as the API shows it: the actor as a relationship of its kind, the target as a reference. */
type AuditView = AuditEvent & { employeeId: string | null; deviceId: string | null; target: string | null };

const view = (e: AuditEvent): AuditView => ({
  ...e,
  employeeId: e.actorType === 'user' ? e.actorId : null,
  deviceId: e.actorType === 'device' ? e.actorId : null,
  target: e.targetType && e.targetId ? `${e.targetType}/${e.targetId}` : null,
});

/**
 * The audit log (catalog): logins, failed logins, role changes, deactivations,
 * devices, invites, deletions, exports. It cannot share a transaction with what
 * it describes (that is on a shard, or already answered), so `record` never
 * fails the request: a lost event is logged as an error, by action only, and
 * counted on `/metrics` (`bloomdesk_audit_events_lost_total{action}`) for an
 * alert. `recordOrFail` is for acts that must not happen unrecorded (exports).
 * Vault being down does not lose an event: it loses only the address (`sealIp`).
 * The `audit-events` resource lets the owner read the log.
 */
@Injectable()
export class AuditLogService implements AuditSink, ResourceHandler<AuditView> {
  private readonly logger = new Logger(AuditLogService.name);
  readonly lost: Counter<'action'>;

  constructor(
    private readonly catalog: CatalogDatabase,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
    // Optional so the service also builds without the observability module (unit specs).
    @Optional() metrics?: Metrics,
  ) {
    this.lost = new Counter({
      name: 'bloomdesk_audit_events_lost_total',
      help: 'Security events that could not be written to the audit log, by action',
      labelNames: ['action'],
      registers: [metrics?.registry ?? new Registry()],
    });
  }

  async record(actor: AuditActor, event: AuditEventInput): Promise<void> {
    // Already logged and counted by recordOrFail.
    await this.recordOrFail(actor, event).catch(() => undefined);
  }

  async recordOrFail(actor: AuditActor, event: AuditEventInput): Promise<void> {
    try {
      await this.insert(actor, event);
    } catch (error) {
      this.lost.inc({ action: event.action });
      // The action and the error's kind only: the event's actor and address are personal data.
      this.logger.error(`audit event ${event.action} not recorded: ${(error as Error).name}${typeof (error as { code?: unknown }).code === 'string' ? ` (${(error as { code: string }).code})` : ''}`);
      throw error;
    }
  }

  private async insert(actor: AuditActor, event: AuditEventInput): Promise<void> {
    const now = new Date();
    const { ipCiphertext, ipWithheld } = await this.sealIp(actor, event);
    await this.catalog.manager.insert(AuditEvent, {
      tenantId: actor.tenantId,
      id: uuid7(),
      occurredAt: now,
      updatedAt: now,
      action: event.action,
      actorType: actor.actor ?? 'anonymous',
      actorId: actor.userId ?? null,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      ipCiphertext,
      ipWithheld,
      details: event.details ? JSON.stringify(event.details) : null,
    });
  }

  /**
   * The client address, encrypted. While Vault is down or sealed the event is
   * still worth more than its address (a deletion done without Vault must be on
   * record): it is written without one and marked `ipWithheld`, never with the
   * address in the clear. Any other failure is left to lose the event as before.
   */
  private async sealIp(actor: AuditActor, event: AuditEventInput): Promise<{ ipCiphertext: string | null; ipWithheld: boolean }> {
    if (!actor.clientIp) return { ipCiphertext: null, ipWithheld: false };
    try {
      const [ipCiphertext] = await this.encryption.encrypt(actor.tenantId, [actor.clientIp]);
      return { ipCiphertext, ipWithheld: false };
    } catch (error) {
      if (!(error instanceof SecretsError && error.code === SecretsErrorCode.Unavailable)) throw error;
      this.logger.warn(`audit event ${event.action} recorded without its address: secrets unavailable`);
      return { ipCiphertext: null, ipWithheld: true };
    }
  }

  async findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<AuditView>> {
    // The relationship filters name the actor; in the table it is one column for both kinds.
    for (const condition of query.filter) if (condition.property === 'employeeId' || condition.property === 'deviceId') condition.property = 'actorId';
    const page = await findResourcePage(this.catalog.manager.createQueryBuilder(AuditEvent, 'e').where('e.tenantId = :tenantId', { tenantId: ctx.tenantId }), query);
    return { ...page, items: page.items.map(view) };
  }

  async findByIds(ctx: RequestContext, ids: readonly string[]): Promise<AuditView[]> {
    return (await this.catalog.manager.findBy(AuditEvent, { tenantId: ctx.tenantId, id: In([...ids]) })).map(view);
  }
}
