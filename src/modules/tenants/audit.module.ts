import { Global, Module } from '@nestjs/common';
import { AUDIT_SINK } from '../../infra/audit/audit-sink';
import { AuditLogService } from './audit-log.service';

/** The audit log is written from everywhere (the JSON:API layer records deletions), so it is global. */
@Global()
@Module({
  providers: [AuditLogService, { provide: AUDIT_SINK, useExisting: AuditLogService }],
  exports: [AuditLogService, AUDIT_SINK],
})
export class AuditModule {}
