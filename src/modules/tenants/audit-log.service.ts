import { Inject, Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import type { AuditActor, AuditEventInput, AuditSink } from '../../infra/audit/audit-sink';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { findResourcePage } from '../../infra/database/resource-page';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../secrets/encryption.provider';
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
 * devices, deletions. Recording never fails the request it describes: a lost
 * audit line is logged as an error instead. The `audit-events` resource lets the
 * owner read it.
 */
@Injectable()
export class AuditLogService implements AuditSink, ResourceHandler<AuditView> {
  private readonly logger = new Logger(AuditLogService.name);

  constructor(
    private readonly catalog: CatalogDatabase,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
  ) {}

  async record(actor: AuditActor, event: AuditEventInput): Promise<void> {
    try {
      const now = new Date();
      const [ipCiphertext] = actor.clientIp ? await this.encryption.encrypt(actor.tenantId, [actor.clientIp]) : [null];
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
        details: event.details ? JSON.stringify(event.details) : null,
      });
    } catch (error) {
      this.logger.error(`audit event ${event.action} not recorded: ${(error as Error).name}`);
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
