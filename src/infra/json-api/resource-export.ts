import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { recordExport } from '../audit/audit-export';
import { AUDIT_SINK, type AuditSink } from '../audit/audit-sink';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { type Permission, can } from '../auth/permissions';
import type { RequestContext } from '../tenancy/request-context';
import { UTF8_BOM, csvLine } from './csv';
import { JsonApiError, JsonApiErrorCode, invalidParameter } from './json-api.errors';
import type { Page } from './pagination';
import { type AttributeDefinition, type ResourceDefinition } from './resource-definition';
import { type GraphNode, ResourceGraph } from './resource-graph';
import type { Identified } from './resource-handler';
import { type ResourceQuery, parameterKind, parseResourceQuery, refuseUnreadable } from './resource-query';
import { ResourceRegistry } from './resource-registry';
import { SensitiveFields } from './sensitive-fields';

/** Rows read (and decrypted) per database query. */
export const EXPORT_BATCH = 500;

/** What the export route sends: the file's name, how many rows it holds, and the body, read as it is sent. */
export interface CsvExport {
  filename: string;
  rows: number;
  body: Readable;
}

/** A column of an export: its header, and how a node gives its cell. */
interface Column {
  name: string;
  cell(node: GraphNode): string | null;
}

/** A cell as the JSON document would show the value: ISO dates, `true`/`false`, numbers as written. */
function text(value: unknown, attribute: AttributeDefinition): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return attribute.type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  return String(value);
}

/**
 * The columns `ctx` may see, in order: `id`, every readable attribute (never
 * write-only ones, and those with a `readPermission` only for roles that have
 * it: a florist's export has no cost prices), then the id of every to-one
 * relationship.
 */
export function exportColumns(ctx: Pick<RequestContext, 'role'>, def: ResourceDefinition): Column[] {
  const columns: Column[] = [{ name: 'id', cell: (node) => node.record.id }];
  for (const [name, attribute] of Object.entries(def.attributes)) {
    if (attribute.writeOnly || (attribute.readPermission && !can(ctx.role, attribute.readPermission))) continue;
    columns.push({
      name,
      cell: attribute.sensitive
        ? (node) => node.plaintext?.[name] ?? null
        : (node) => text((node.record as Record<string, unknown>)[attribute.property ?? name], attribute),
    });
  }
  for (const [name, rel] of Object.entries(def.relationships ?? {})) {
    if (rel.kind !== 'to-one') continue;
    columns.push({ name, cell: (node) => (node.linkage[name] as string | null | undefined) ?? null });
  }
  return columns;
}

/**
 * The query of an export: `filter[...]` and `sort` exactly as the collection
 * parses them (400 with `source.parameter` for a bad one); the rest of
 * JSON:API's parameters shape a document, and an export is every matching row
 * with every column, so they are refused.
 */
export function exportQuery(def: ResourceDefinition, raw: Record<string, unknown>, lookup: (type: string) => ResourceDefinition | undefined): ResourceQuery {
  for (const name of Object.keys(raw)) {
    if (parameterKind(name) !== 'specification') continue;
    const base = name.split('[')[0];
    if (base !== 'filter' && base !== 'sort') throw invalidParameter(name, `${name} is not supported on an export: it holds every matching row with every column; filter[...] and sort are.`);
  }
  const query = parseResourceQuery(def, raw, lookup);
  // A feed's filter[updatedSince] reads by cursor on the list; here it is a plain condition on numbered pages
  // (the exporter sets their size).
  query.page = { kind: 'number', number: 1, size: EXPORT_BATCH };
  return query;
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * CSV exports of any type whose definition has `export`: the rows its list
 * would show under the same filters, sort and store scope, read from the
 * database a batch at a time (each batch decrypted in one call) while the file
 * is sent. Before the first byte, the export is sized (more than EXPORT_MAX_ROWS
 * is refused, 422) and put on the audit log (`recordExport`); when that fails,
 * nothing is sent (503).
 *
 * Pages are numbered, so a row written while an export runs can shift one: a
 * row seen twice is sent once, and no more rows are sent than were counted and
 * recorded at the start. A row deleted meanwhile can make one later row be missed.
 */
@Injectable()
export class ResourceExporter {
  /** Rows per query (and per decryption call); a property so a test can page small sets. */
  readonly batchSize: number = EXPORT_BATCH;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly sensitive: SensitiveFields,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(ctx: RequestContext, def: ResourceDefinition, raw: Record<string, unknown>): Promise<CsvExport> {
    const query = exportQuery(def, raw, (type) => this.registry.find(type)?.def);
    // The route's guard checked the export permission; the rows are what reading the type shows.
    if (!can(ctx.role, def.permissions!.read as Permission)) throw new AuthError(AuthErrorCode.Forbidden, `Your role may not read ${def.type}.`);
    refuseUnreadable(def, query, ctx.role);
    await this.sensitive.indexFilters(ctx, def, query);
    const first = await this.page(ctx, def, query, 1);
    const rows = first.total;
    if (rows === undefined) throw new Error(`${def.type}: findPage gave no total for a numbered page`);
    const max = this.config.exportMaxRows;
    if (rows > max) {
      throw new JsonApiError(
        JsonApiErrorCode.ExportTooLarge,
        `${rows} ${def.type} match; an export holds at most ${max}. Narrow it with filter[...] (a period, a store) and export the parts.`,
        undefined,
        { rows, maxRows: max },
      );
    }
    const nodes = await this.nodes(ctx, def, first.items);
    const filters = [...new Set(query.filter.map((f) => f.field))];
    try {
      await recordExport(this.audit, ctx, { type: def.type, format: 'csv', rows, filters });
    } catch {
      // The sink has logged and counted the loss; the client learns only that nothing was sent.
      throw new JsonApiError(JsonApiErrorCode.ExportNotRecorded, 'The export could not be put on the audit log, so it was not made. Try again shortly.');
    }
    return { filename: `${def.type}-${today()}.csv`, rows, body: Readable.from(this.lines(ctx, def, query, rows, nodes, first.items.length), { objectMode: false }) };
  }

  /** The file, a page per chunk: header, then each row once, at most `rows` of them. */
  private async *lines(ctx: RequestContext, def: ResourceDefinition, query: ResourceQuery, rows: number, firstNodes: GraphNode[], firstSize: number): AsyncGenerator<string> {
    const columns = exportColumns(ctx, def);
    yield UTF8_BOM + csvLine(columns.map((c) => c.name));
    const sent = new Set<string>();
    let nodes = firstNodes;
    let size = firstSize;
    // A page more than the count needs, for rows that shifted; never an endless read.
    const lastPage = Math.ceil(rows / this.batchSize) + 1;
    for (let number = 1; ; ) {
      let chunk = '';
      for (const node of nodes) {
        if (sent.size >= rows) break;
        if (sent.has(node.record.id)) continue;
        sent.add(node.record.id);
        chunk += csvLine(columns.map((c) => c.cell(node)));
      }
      if (chunk) yield chunk;
      if (sent.size >= rows || size < this.batchSize || number >= lastPage) return;
      number++;
      const page = await this.page(ctx, def, query, number);
      size = page.items.length;
      nodes = await this.nodes(ctx, def, page.items);
    }
  }

  private page(ctx: RequestContext, def: ResourceDefinition, query: ResourceQuery, number: number): Promise<Page<Identified>> {
    return this.registry.get(def.type).handler.findPage(ctx, { ...query, page: { kind: 'number', number, size: this.batchSize } });
  }

  /** Records with their to-one linkage, sensitive attributes decrypted in one call for the batch. */
  private async nodes(ctx: RequestContext, def: ResourceDefinition, records: readonly Identified[]): Promise<GraphNode[]> {
    const graph = new ResourceGraph(ctx, this.registry);
    const nodes = await graph.load(def, records, []);
    for (const [name, rel] of Object.entries(def.relationships ?? {})) {
      if (rel.kind === 'to-one' && !rel.foreignKey) await graph.linkage(def, nodes, name);
    }
    await this.sensitive.reveal(ctx, nodes);
    return nodes;
  }
}
