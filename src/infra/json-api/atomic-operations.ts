import { Controller, HttpCode, Injectable, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { Permission, RequirePermission, can } from '../auth/permissions';
import { UUID_PATTERN } from '../database/uuid7';
import { DomainError, type ErrorSource } from '../errors/domain-error';
import { Ctx } from '../tenancy/ctx.decorator';
import { Feature, isEnabled } from '../tenancy/features';
import type { RequestContext } from '../tenancy/request-context';
import { JsonApiError, JsonApiErrorCode, JsonApiErrors, invalidDocument } from './json-api.errors';
import { reply } from './json-api.reply';
import { ATOMIC_EXT } from './media-type';
import { type ResourceDefinition, joinsShardTransaction, relationshipNamed, resourcePath } from './resource-definition';
import { type LidMap, parseAttributes, parseUuid } from './resource-document';
import { ResourceEngine } from './resource-engine';
import type { Identified } from './resource-handler';
import { refuseQuery } from './resource-query';
import { ResourceRegistry } from './resource-registry';
import { type Presealed, SensitiveFields } from './sensitive-fields';
import { API_BASE, type ResourceObject } from './serializer';
import { WriteGate } from './write-gate';

/** Operations in one batch; `Feature.LargeSyncBatches` raises it for tenants whose devices sync more at once. */
export const MAX_OPERATIONS = 500;
export const MAX_OPERATIONS_LARGE = 2000;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Target {
  def: ResourceDefinition;
  id?: string;
  relationship?: string;
}

/** Anchors every error of operation `index` in the request: `/atomic:operations/2/data/attributes/name`. */
function anchor(error: unknown, index: number): unknown {
  const prefix = `/atomic:operations/${index}`;
  const shift = (e: DomainError) => {
    const source = e.source as ErrorSource | undefined;
    if (source?.pointer !== undefined) source.pointer = `${prefix}${source.pointer}`;
    else if (!source?.parameter && !source?.header) (e as { source?: ErrorSource }).source = { pointer: prefix };
  };
  if (error instanceof JsonApiErrors) error.errors.forEach(shift);
  else if (error instanceof DomainError) shift(error);
  return error;
}

/** What one operation leaves for the results: the resource as it wrote it (add, update), or nothing. */
type Written = { def: ResourceDefinition; record: Identified } | undefined;

/**
 * The Atomic Operations extension: a list of add/update/remove operations on
 * resources and relationships, run in order in one transaction on the tenant's
 * shard: all of them, or none. `lid`s name resources created earlier in the list.
 * Only types whose every write goes through that transaction take part
 * (`joinsShardTransaction`): a catalog type, or one with effects a rollback
 * cannot undo, is refused. The batch's sensitive values are encrypted in one
 * call before it runs and its results decrypted in one call after.
 */
@Injectable()
export class AtomicOperationsProcessor {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly engine: ResourceEngine,
    private readonly sensitive: SensitiveFields,
  ) {}

  /** `host` is the request's (Fastify's `request.host`): an absolute `href` must name this server. */
  async process(ctx: RequestContext, body: unknown, host: string): Promise<Array<{ data?: ResourceObject }>> {
    if (!isObject(body) || !Array.isArray(body['atomic:operations'])) {
      throw invalidDocument('', 'The document must have an atomic:operations array.');
    }
    const operations = body['atomic:operations'] as unknown[];
    const max = isEnabled(ctx, Feature.LargeSyncBatches) ? MAX_OPERATIONS_LARGE : MAX_OPERATIONS;
    if (!operations.length || operations.length > max) {
      throw invalidDocument('/atomic:operations', `Send 1 to ${max} operations.`);
    }
    const presealed = await this.preseal(ctx, operations);
    const lids: LidMap = new Map();
    const written: Written[] = [];
    for (const [index, operation] of operations.entries()) {
      try {
        written.push(await this.one(ctx, operation, lids, presealed[index], host));
      } catch (error) {
        throw anchor(error, index);
      }
    }
    const shown = written.filter((w): w is NonNullable<Written> => w !== undefined);
    const objects = await this.engine.resourceObjects(ctx, shown);
    let next = 0;
    return written.map((w) => (w ? { data: objects[next++] } : {}));
  }

  /**
   * The sensitive attributes of every add and update, encrypted in one call:
   * their values do not depend on what earlier operations create. An operation
   * that does not parse here is left out; it fails in its turn, with its pointer.
   */
  private preseal(ctx: RequestContext, operations: unknown[]): Promise<Presealed[]> {
    return this.sensitive.preseal(
      ctx,
      operations.map((operation) => {
        if (!isObject(operation) || (operation.op !== 'add' && operation.op !== 'update') || !isObject(operation.data)) return undefined;
        const def = typeof operation.data.type === 'string' ? this.registry.find(operation.data.type)?.def : undefined;
        if (!def || !joinsShardTransaction(def) || !Object.values(def.attributes).some((a) => a.sensitive)) return undefined;
        try {
          return { def, attributes: parseAttributes(def, operation.data, operation.op === 'add' ? 'create' : 'update', '/data') };
        } catch {
          return undefined;
        }
      }),
    );
  }

  private async one(ctx: RequestContext, operation: unknown, lids: LidMap, presealed: Presealed, host: string): Promise<Written> {
    if (!isObject(operation)) throw invalidDocument('', 'An operation must be an object.');
    const { op } = operation;
    if (op !== 'add' && op !== 'update' && op !== 'remove') throw invalidDocument('/op', 'op must be add, update or remove.');
    if (operation.ref !== undefined && operation.href !== undefined) throw invalidDocument('/href', 'Give ref or href, not both.');
    const target = this.target(operation, lids, host);
    if (!joinsShardTransaction(target.def)) {
      const at = operation.href !== undefined ? '/href' : operation.ref !== undefined ? '/ref/type' : '/data/type';
      throw invalidDocument(at, `${target.def.type} cannot be changed in an atomic batch (its writes do not all roll back with it); send it on its own.`);
    }
    this.permit(ctx, target.def, target.relationship ? 'update' : op === 'add' ? 'create' : op === 'update' ? 'update' : 'delete');

    if (target.relationship) {
      const mode = op === 'update' ? 'set' : op;
      await this.engine.changeRelationship(ctx, target.def, target.id!, target.relationship, mode, operation, lids);
      return undefined;
    }
    if (op === 'add') {
      if (target.id) throw invalidDocument('/ref/id', 'An add operation targets a collection, not a resource.');
      return { def: target.def, record: await this.engine.create(ctx, target.def, operation, lids, presealed) };
    }
    if (op === 'update') {
      return { def: target.def, record: await this.engine.update(ctx, target.def, target.id, operation, lids, presealed) };
    }
    if (!target.id) throw invalidDocument('/ref', 'A remove operation needs ref with the id (or lid) of the resource.');
    await this.engine.remove(ctx, target.def, target.id);
    return undefined;
  }

  /** What an operation acts on, from `ref`, `href`, or (for add and update) its `data`. */
  private target(operation: Record<string, unknown>, lids: LidMap, host: string): Target {
    if (typeof operation.href === 'string') return this.fromHref(operation.href, host);
    const ref = operation.ref ?? (isObject(operation.data) ? { type: operation.data.type, id: operation.data.id, lid: operation.data.lid } : undefined);
    const at = operation.ref !== undefined ? '/ref' : '/data';
    if (!isObject(ref) || typeof ref.type !== 'string') throw invalidDocument(at, 'The operation must name its target with ref, href or data.');
    const found = this.registry.find(ref.type);
    if (!found) throw invalidDocument(`${at}/type`, `Unknown type "${ref.type}".`);
    // An add's data names the resource it creates (its id and lid are checked as new ones), not a target.
    const existing = operation.op !== 'add' || operation.ref !== undefined;
    let id: string | undefined;
    if (existing && ref.id !== undefined) id = parseUuid(ref.id, `${at}/id`);
    else if (existing && ref.lid !== undefined) {
      const local = typeof ref.lid === 'string' ? lids.get(ref.lid) : undefined;
      if (!local || local.type !== ref.type) throw invalidDocument(`${at}/lid`, `No earlier operation created a ${ref.type} with lid ${JSON.stringify(ref.lid)}.`);
      id = local.id;
    }
    const relationship = typeof ref.relationship === 'string' ? ref.relationship : undefined;
    if (relationship !== undefined) {
      if (!relationshipNamed(found.def, relationship)) throw invalidDocument(`${at}/relationship`, `${ref.type} has no relationship "${relationship}".`);
      if (id === undefined) throw invalidDocument(`${at}/id`, 'A relationship operation needs the id of its resource.');
    }
    return { def: found.def, id, relationship };
  }

  /**
   * What an `href` names: a path (`/api/v1/stores/<id>`, or one relative to the
   * base), or an absolute http(s) URL of this server, whose host (with its port)
   * must be the request's. The scheme is not compared: TLS often ends at a proxy,
   * and this server then sees plain HTTP. Another host is 400.
   */
  private fromHref(href: string, host: string): Target {
    let local = href;
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      const url = URL.canParse(href) ? new URL(href) : undefined;
      const ours = url && (url.protocol === 'http:' || url.protocol === 'https:') && URL.canParse(`${url.protocol}//${host}`) && new URL(`${url.protocol}//${host}`).host === url.host;
      if (!url || !ours || url.username || url.password) {
        throw invalidDocument('/href', `"${href}" is not a URL of this server (${host}): give a path (${API_BASE}/...) or an absolute URL of this server.`);
      }
      if (!url.pathname.startsWith(`${API_BASE}/`)) throw invalidDocument('/href', `"${href}" names no resource of this API.`);
      local = `${url.pathname}${url.search}`;
    }
    const path = local.startsWith(API_BASE) ? local.slice(API_BASE.length) : local;
    const [, collection, rawId, third, fourth] = path.split('?')[0].split('/');
    const id = rawId?.toLowerCase();
    const found = this.registry.all().find((r) => resourcePath(r.def) === collection);
    if (!found || (id !== undefined && !UUID_PATTERN.test(id))) throw invalidDocument('/href', `"${href}" names no resource of this API.`);
    if (third === undefined) return { def: found.def, id };
    if (third === 'relationships' && fourth && relationshipNamed(found.def, fourth)) return { def: found.def, id, relationship: fourth };
    throw invalidDocument('/href', `"${href}" names no resource or relationship of this API.`);
  }

  private permit(ctx: RequestContext, def: ResourceDefinition, action: 'create' | 'update' | 'delete'): void {
    const permission = def.permissions?.[action];
    if (permission && !can(ctx.role, permission)) throw new AuthError(AuthErrorCode.Forbidden, `Your role may not ${action} ${def.type}.`);
  }
}

@Controller('api/v1/operations')
export class AtomicOperationsController {
  constructor(
    private readonly processor: AtomicOperationsProcessor,
    private readonly writes: WriteGate,
  ) {}

  /** Any role may send a batch; each operation is checked against the permission its action needs. */
  @Post()
  @HttpCode(200)
  @RequirePermission(Permission.Authenticated)
  run(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    if (!req.jsonApiMedia?.ext.includes(ATOMIC_EXT)) {
      throw new JsonApiError(JsonApiErrorCode.UnsupportedMediaType, `Send operations as application/vnd.api+json; ext="${ATOMIC_EXT}".`, { header: 'Content-Type' });
    }
    refuseQuery((req.query ?? {}) as Record<string, unknown>, 'atomic results carry each operation\'s resource as it was written.');
    return this.writes
      .run(ctx, req, async (tx) => ({
        status: 200,
        document: { jsonapi: { version: '1.1' as const, ext: [ATOMIC_EXT] }, 'atomic:results': await this.processor.process(tx, req.body, req.host) } as never,
      }))
      .then((outcome) => reply(req, res, { ...outcome, ext: [ATOMIC_EXT] }));
  }
}
