import type { RequestContext } from '../tenancy/request-context';
import { AuditAction, type AuditSink } from './audit-sink';

export interface ExportRecord {
  /** The resource type exported, e.g. `customers`. */
  type: string;
  /** e.g. `csv`, `xlsx`. */
  format: string;
  /** How many records left. */
  rows: number;
  /** The filters the export applied, by name only: their values may be personal data (a phone). */
  filters?: readonly string[];
}

/**
 * What an export calls before it sends a byte: who exported how many records of
 * which type, in which format, from where. The CSV exports of the JSON:API
 * layer (`ResourceExporter`) call it; any other export must too. An export that
 * cannot be put on record is not served: this throws, and the export must fail with it.
 *
 * @example
 * const rows = await this.customers.forExport(ctx, query);
 * await recordExport(this.audit, ctx, { type: 'customers', format: 'csv', rows: rows.length, filters: query.filter.map((f) => f.field) });
 * return toCsv(rows);
 */
export function recordExport(audit: AuditSink, ctx: Pick<RequestContext, 'tenantId' | 'userId' | 'actor' | 'clientIp'>, exported: ExportRecord): Promise<void> {
  return audit.recordOrFail(ctx, {
    action: AuditAction.DataExported,
    targetType: exported.type,
    details: { format: exported.format, rows: exported.rows, filters: exported.filters?.length ? [...exported.filters].sort().join(',') : null },
  });
}
