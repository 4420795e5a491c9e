import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AUDIT_SINK, type AuditSink } from '../audit/audit-sink';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { type Permission, can } from '../auth/permissions';
import { ShardRegistry } from '../database/shard-registry';
import { isDuplicateKey } from '../database/database.errors';
import type { RequestContext } from '../tenancy/request-context';
import { JsonApiError, JsonApiErrorCode, invalidDocument, invalidParameter, notFound } from './json-api.errors';
import { type Page, canonicalUrl, pageLinks } from './pagination';
import { type RelationshipDefinition, type ResourceDefinition, relationshipNamed, resourcePath } from './resource-definition';
import { type LidMap, dataOf, parseLinkage, parseResourceObject } from './resource-document';
import { type GraphNode, ResourceGraph } from './resource-graph';
import type { Identified, Linkage, ResourceHandler } from './resource-handler';
import { type ResourceQuery, CURSOR_PROFILE, parseResourceQuery, refuseUnreadable } from './resource-query';
import { type RegisteredResource, ResourceRegistry } from './resource-registry';
import { API_BASE, type JsonApiDocument, JsonApiSerializer, type ResourceObject } from './serializer';
import { encodeCursor } from './cursor';
import { type Presealed, SensitiveFields } from './sensitive-fields';

export type RawQuery = Record<string, unknown>;

export interface Rendered {
  document: JsonApiDocument;
  /** Profiles the response applied (the cursor pagination profile for feeds). */
  profile: string[];
}

type FeedRecord = Identified & { updatedAt?: Date };

const unsupported = (def: ResourceDefinition, action: string) =>
  new JsonApiError(JsonApiErrorCode.ActionNotSupported, `${def.type} cannot be ${action} through the API.`);

/**
 * The JSON:API behaviour of every resource type, in one place: reading pages,
 * resources, relationships and related resources with includes and sparse
 * fieldsets; creating, updating and deleting; changing relationships. Handlers
 * supply the data. Writes expect the caller (the edge: a controller or the atomic
 * operations processor) to have opened the transaction in `ctx`.
 */
@Injectable()
export class ResourceEngine {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly serializer: JsonApiSerializer,
    private readonly sensitive: SensitiveFields,
    private readonly shards: ShardRegistry,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly lookup = (type: string) => this.registry.find(type)?.def;

  private handler(def: ResourceDefinition): ResourceHandler {
    return this.registry.get(def.type).handler;
  }

  // ---- reading ------------------------------------------------------------

  async list(ctx: RequestContext, def: ResourceDefinition, raw: RawQuery, url: string): Promise<Rendered> {
    const query = parseResourceQuery(def, raw, this.lookup);
    refuseUnreadable(def, query, ctx.role);
    await this.sensitive.indexFilters(ctx, def, query);
    if (query.page.kind === 'cursor') query.page.until = new Date(Date.now() - this.config.feedSettleMs);
    const page = this.settled(query, await this.handler(def).findPage(ctx, query));
    const graph = new ResourceGraph(ctx, this.registry);
    const nodes = await graph.load(def, page.items, query.include);
    await this.sensitive.reveal(ctx, [...nodes, ...graph.included()], query.fields);
    const cursor = query.page.kind === 'cursor';
    const data = nodes.map((n) => this.object(ctx, n, query, cursor ? { page: { cursor: this.cursorOf(n.record) } } : undefined));
    return {
      document: this.serializer.document({
        links: pageLinks(url, query, page as Page<Identified & { updatedAt?: Date }>),
        data,
        ...(query.include.length && { included: graph.included().map((n) => this.object(ctx, n, query)) }),
        ...(page.total !== undefined && { meta: { total: page.total } }),
      }),
      profile: cursor ? [CURSOR_PROFILE] : [],
    };
  }

  async fetch(ctx: RequestContext, def: ResourceDefinition, id: string, raw: RawQuery, url: string): Promise<Rendered> {
    const query = parseResourceQuery(def, raw, this.lookup, 'single');
    return { document: await this.render(ctx, def, await this.existing(ctx, def, id), query, canonicalUrl(url)), profile: [] };
  }

  /**
   * The relationship endpoint: linkage as primary data. `include` paths start
   * with the relationship's name (JSON:API's `/articles/1/relationships/comments?include=comments.author`):
   * the related resources, and what they lead to, come under `included`.
   */
  async relationship(ctx: RequestContext, def: ResourceDefinition, id: string, name: string, raw: RawQuery): Promise<Rendered> {
    const rel = this.relationshipOf(def, name);
    const target = this.readable(ctx, rel);
    const query = parseResourceQuery(def, raw, this.lookup, 'single');
    const outside = query.include.find((path) => path.split('.')[0] !== name);
    if (outside) throw invalidParameter('include', `On the ${name} relationship, include paths start with ${name}; "${outside}" does not.`);
    const node = new ResourceGraph(ctx, this.registry).node(def, await this.existing(ctx, def, id));
    const linkage = await this.linkageOf(ctx, node, name);
    const self = `${API_BASE}/${resourcePath(def)}/${id}`;
    let included: ResourceObject[] | undefined;
    if (query.include.length) {
      const graph = new ResourceGraph(ctx, this.registry);
      const further = query.include.map((path) => path.split('.').slice(1).join('.')).filter(Boolean);
      const nodes = await graph.load(target.def, await this.relatedRecords(ctx, target, linkage), further);
      await this.sensitive.reveal(ctx, [...nodes, ...graph.included()], query.fields);
      included = [...nodes, ...graph.included()].map((n) => this.object(ctx, n, query));
    }
    return {
      document: this.serializer.document({
        links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` },
        data: this.serializer.identifier(rel.type, linkage),
        ...(included && { included }),
      }),
      profile: [],
    };
  }

  async related(ctx: RequestContext, def: ResourceDefinition, id: string, name: string, raw: RawQuery, url: string): Promise<Rendered> {
    const rel = this.relationshipOf(def, name);
    const target = this.readable(ctx, rel);
    const query = parseResourceQuery(target.def, raw, this.lookup, 'single');
    const node = new ResourceGraph(ctx, this.registry).node(def, await this.existing(ctx, def, id));
    const records = await this.relatedRecords(ctx, target, await this.linkageOf(ctx, node, name));
    if (rel.kind === 'to-one') {
      const document = records.length
        ? await this.render(ctx, target.def, records[0], query, canonicalUrl(url))
        : this.serializer.document({ links: { self: canonicalUrl(url) }, data: null });
      return { document, profile: [] };
    }
    const graph = new ResourceGraph(ctx, this.registry);
    const nodes = await graph.load(target.def, records, query.include);
    await this.sensitive.reveal(ctx, [...nodes, ...graph.included()], query.fields);
    return {
      document: this.serializer.document({
        links: { self: canonicalUrl(url) },
        data: nodes.map((n) => this.object(ctx, n, query)),
        ...(query.include.length && { included: graph.included().map((n) => this.object(ctx, n, query)) }),
        meta: { total: nodes.length },
      }),
      profile: [],
    };
  }

  /** A single-resource document for `record`, with the includes of `query`. */
  async render(ctx: RequestContext, def: ResourceDefinition, record: Identified, query?: ResourceQuery, self?: string): Promise<JsonApiDocument> {
    const graph = new ResourceGraph(ctx, this.registry);
    const [node] = await graph.load(def, [record], query?.include ?? []);
    await this.sensitive.reveal(ctx, [node, ...graph.included()], query?.fields);
    return this.serializer.document({
      links: { self: self ?? `${API_BASE}/${resourcePath(def)}/${record.id}` },
      data: this.object(ctx, node, query),
      ...(query?.include.length && { included: graph.included().map((n) => this.object(ctx, n, query)) }),
    });
  }

  /** Resource objects of records, without includes (atomic results), with one decryption call for all of them. */
  async resourceObjects(ctx: RequestContext, items: ReadonlyArray<{ def: ResourceDefinition; record: Identified }>): Promise<ResourceObject[]> {
    // A graph each: a record written twice in a batch is shown as each operation left it.
    const nodes = await Promise.all(items.map(async ({ def, record }) => (await new ResourceGraph(ctx, this.registry).load(def, [record], []))[0]));
    await this.sensitive.reveal(ctx, nodes);
    return nodes.map((node) => this.object(ctx, node));
  }

  // ---- writing (inside the caller's transaction) --------------------------------

  /**
   * Creates from a document (`{ data }`, or an atomic operation with `data`).
   * Error pointers are relative to it; the atomic processor re-anchors them.
   */
  async create(ctx: RequestContext, def: ResourceDefinition, document: unknown, lids?: LidMap, presealed?: Presealed): Promise<Identified> {
    const handler = this.handler(def);
    if (!handler.create || !def.permissions?.create) throw unsupported(def, 'created');
    const pointer = '/data';
    const input = parseResourceObject(def, dataOf(document), 'create', pointer, { lids });
    if (input.lid && lids?.has(input.lid)) throw invalidDocument(`${pointer}/lid`, `lid "${input.lid}" is already taken by an earlier operation; each lid names one resource.`);
    const taken = () => new JsonApiError(JsonApiErrorCode.IdTaken, `A ${def.type} with this id already exists.`, { pointer: `${pointer}/id` });
    if (input.id && (await handler.findByIds(ctx, [input.id])).length) throw taken();
    await this.checkRelated(ctx, def, input.relationships, pointer);
    await this.sensitive.seal(ctx, def, input, presealed);
    let record: Identified;
    try {
      record = await handler.create(ctx, input);
    } catch (error) {
      if (input.id && isDuplicateKey(error) && (await handler.findByIds(ctx, [input.id])).length) throw taken();
      throw error;
    }
    if (input.lid) lids?.set(input.lid, { type: def.type, id: record.id });
    return record;
  }

  async update(ctx: RequestContext, def: ResourceDefinition, id: string | undefined, document: unknown, lids?: LidMap, presealed?: Presealed): Promise<Identified> {
    const handler = this.handler(def);
    if (!handler.update || !def.permissions?.update) throw unsupported(def, 'updated');
    const pointer = '/data';
    const input = parseResourceObject(def, dataOf(document), 'update', pointer, { urlId: id, lids });
    await this.existing(ctx, def, input.id!);
    await this.checkRelated(ctx, def, input.relationships, pointer);
    await this.sensitive.seal(ctx, def, input, presealed);
    return handler.update(ctx, input.id!, input);
  }

  async remove(ctx: RequestContext, def: ResourceDefinition, id: string): Promise<void> {
    const handler = this.handler(def);
    if (!handler.remove || !def.permissions?.delete) throw unsupported(def, 'deleted');
    await this.existing(ctx, def, id);
    await handler.remove(ctx, id);
    this.shards.afterCommit(ctx, () => this.audit.record(ctx, { action: `${def.type}.deleted`, targetType: def.type, targetId: id }));
  }

  /** PATCH (set), POST (add) or DELETE (remove) on a relationship; `document` holds its `data`. */
  async changeRelationship(
    ctx: RequestContext,
    def: ResourceDefinition,
    id: string,
    name: string,
    mode: 'set' | 'add' | 'remove',
    document: unknown,
    lids?: LidMap,
  ): Promise<void> {
    const pointer = '';
    const rel = this.relationshipOf(def, name);
    const handler = this.handler(def);
    if (!rel.writable || !def.permissions?.update) {
      throw new JsonApiError(JsonApiErrorCode.ReadOnlyRelationship, `The ${name} relationship of ${def.type} cannot be changed here.`);
    }
    if (mode !== 'set' && rel.kind !== 'to-many') {
      throw new JsonApiError(JsonApiErrorCode.ReadOnlyRelationship, `Members are added and removed only on to-many relationships; PATCH ${name} instead.`);
    }
    const linkage = parseLinkage(rel, document, pointer, lids);
    await this.existing(ctx, def, id);
    if (mode !== 'remove') await this.checkRelated(ctx, def, { [name]: linkage }, pointer, true);
    const operation = mode === 'set' ? handler.setRelationship : mode === 'add' ? handler.addToRelationship : handler.removeFromRelationship;
    if (operation) return operation.call(handler, ctx, id, name, linkage as never);
    // Replacing a relationship is an update that names only it, when the handler has no more specific way.
    if (mode === 'set' && handler.update) {
      await handler.update(ctx, id, { attributes: {}, relationships: { [name]: linkage } });
      return;
    }
    throw new JsonApiError(JsonApiErrorCode.ReadOnlyRelationship, `The ${name} relationship of ${def.type} cannot be changed here.`);
  }

  // ---- helpers --------------------------------------------------------------------

  async existing(ctx: RequestContext, def: ResourceDefinition, id: string): Promise<Identified> {
    const [record] = await this.handler(def).findByIds(ctx, [id]);
    if (!record) throw notFound(def.type, id);
    return record;
  }

  relationshipOf(def: ResourceDefinition, name: string): RelationshipDefinition {
    const rel = relationshipNamed(def, name);
    if (!rel) throw new JsonApiError(JsonApiErrorCode.RouteNotFound, `${def.type} has no relationship "${name}".`);
    return rel;
  }

  /**
   * The related type of `rel`, if the caller's role may read it: the relationship
   * and related endpoints show its ids and records, so they need what reading it
   * directly needs (403 otherwise, before anything is looked up).
   */
  private readable(ctx: RequestContext, rel: RelationshipDefinition): RegisteredResource {
    const target = this.registry.get(rel.type);
    if (!can(ctx.role, target.def.permissions?.read as Permission)) throw new AuthError(AuthErrorCode.Forbidden, `Your role may not read ${rel.type}.`);
    return target;
  }

  /** The records a linkage names, in its order. */
  private async relatedRecords(ctx: RequestContext, target: RegisteredResource, linkage: Linkage): Promise<Identified[]> {
    const ids = linkage === null ? [] : Array.isArray(linkage) ? linkage : [linkage];
    const records = ids.length ? await target.handler.findByIds(ctx, ids) : [];
    const order = new Map(ids.map((v, i) => [v, i]));
    return records.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  /**
   * A feed page without what lies past its horizon (`until`), whatever the
   * handler's query did; a page cut so has nothing more to read forwards yet.
   */
  private settled(query: ResourceQuery, page: Page<Identified>): Page<Identified> {
    if (query.page.kind !== 'cursor' || !query.page.until) return page;
    const until = query.page.until.getTime();
    const items = (page.items as FeedRecord[]).filter((r) => !r.updatedAt || r.updatedAt.getTime() <= until);
    if (items.length === page.items.length) return page;
    return { ...page, items, hasMore: query.page.before ? page.hasMore : false };
  }

  private async linkageOf(ctx: RequestContext, node: GraphNode, name: string): Promise<Linkage> {
    if (node.linkage[name] === undefined) await new ResourceGraph(ctx, this.registry).linkage(node.def, [node], name);
    return node.linkage[name];
  }

  /**
   * Every related id a write names must exist for this tenant (a related record of
   * another tenant is as missing as one that never was): 404 naming the member.
   * One query per relationship.
   */
  private async checkRelated(ctx: RequestContext, def: ResourceDefinition, relationships: Record<string, Linkage>, pointer: string, bare = false): Promise<void> {
    for (const [name, linkage] of Object.entries(relationships)) {
      if (linkage === null || (Array.isArray(linkage) && !linkage.length)) continue;
      const rel = relationshipNamed(def, name)!;
      const ids = Array.isArray(linkage) ? linkage : [linkage];
      const found = new Set((await this.registry.get(rel.type).handler.findByIds(ctx, ids)).map((r) => r.id));
      const at = bare ? `${pointer}/data` : `${pointer}/relationships/${name}/data`;
      ids.forEach((relatedId, i) => {
        if (!found.has(relatedId)) {
          throw new JsonApiError(JsonApiErrorCode.RelatedNotFound, `No ${rel.type} with id ${relatedId}.`, { pointer: Array.isArray(linkage) ? `${at}/${i}` : at });
        }
      });
    }
  }

  private cursorOf(record: Identified): string | undefined {
    const updatedAt = (record as { updatedAt?: Date }).updatedAt;
    return updatedAt ? encodeCursor({ updatedAt, id: record.id }) : undefined;
  }

  private object(ctx: RequestContext, node: GraphNode, query?: ResourceQuery, meta?: Record<string, unknown>): ResourceObject {
    return this.serializer.resourceObject(ctx, node.def, node.record, {
      linkage: node.linkage,
      fields: query?.fields[node.def.type],
      plaintext: node.plaintext,
      meta,
    });
  }
}
