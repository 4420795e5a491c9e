import { Controller, HttpCode, Injectable, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, RequirePermission } from '../auth/permissions';
import { Ctx } from '../tenancy/ctx.decorator';
import type { RequestContext } from '../tenancy/request-context';
import { DomainError, type ErrorSource } from '../errors/domain-error';
import { JsonApiError, JsonApiErrorCode, JsonApiErrors, invalidDocument } from './json-api.errors';
import { reply } from './json-api.reply';
import { ATOMIC_EXT } from './media-type';
import { type ResourceDefinition, resourcePath } from './resource-definition';
import type { LidMap } from './resource-document';
import { ResourceEngine } from './resource-engine';
import { ResourceRegistry } from './resource-registry';
import { API_BASE, type ResourceObject } from './serializer';
import { UUID_PATTERN } from '../database/uuid7';
import { WriteGate } from './write-gate';
import { can } from '../auth/permissions';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';

const MAX_OPERATIONS = 500;
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

/**
 * The Atomic Operations extension: a list of add/update/remove operations on
 * resources and relationships, run in order in one transaction on the tenant's
 * shard: all of them, or none. `lid`s name resources created earlier in the list.
 */
@Injectable()
export class AtomicOperationsProcessor {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly engine: ResourceEngine,
  ) {}

  async process(ctx: RequestContext, body: unknown): Promise<Array<{ data?: ResourceObject }>> {
    if (!isObject(body) || !Array.isArray(body['atomic:operations'])) {
      throw invalidDocument('', 'The document must have an atomic:operations array.');
    }
    const operations = body['atomic:operations'] as unknown[];
    if (!operations.length || operations.length > MAX_OPERATIONS) {
      throw invalidDocument('/atomic:operations', `Send 1 to ${MAX_OPERATIONS} operations.`);
    }
    const lids: LidMap = new Map();
    const results: Array<{ data?: ResourceObject }> = [];
    for (const [index, operation] of operations.entries()) {
      try {
        results.push(await this.one(ctx, operation, lids));
      } catch (error) {
        throw anchor(error, index);
      }
    }
    return results;
  }

  private async one(ctx: RequestContext, operation: unknown, lids: LidMap): Promise<{ data?: ResourceObject }> {
    if (!isObject(operation)) throw invalidDocument('', 'An operation must be an object.');
    const { op } = operation;
    if (op !== 'add' && op !== 'update' && op !== 'remove') throw invalidDocument('/op', 'op must be add, update or remove.');
    if (operation.ref !== undefined && operation.href !== undefined) throw invalidDocument('/href', 'Give ref or href, not both.');
    const target = this.target(ctx, operation, lids);
    if (target.def.storage === 'catalog') {
      throw invalidDocument(operation.ref !== undefined ? '/ref/type' : '/data/type', `${target.def.type} cannot be changed in an atomic batch; send it on its own.`);
    }
    this.permit(ctx, target.def, target.relationship ? 'update' : op === 'add' ? 'create' : op === 'update' ? 'update' : 'delete');

    if (target.relationship) {
      const mode = op === 'update' ? 'set' : op;
      await this.engine.changeRelationship(ctx, target.def, target.id!, target.relationship, mode, operation, lids);
      return {};
    }
    if (op === 'add') {
      if (target.id) throw invalidDocument('/ref/id', 'An add operation targets a collection, not a resource.');
      const record = await this.engine.create(ctx, target.def, operation, lids);
      return { data: await this.engine.resourceObject(ctx, target.def, record) };
    }
    if (op === 'update') {
      const record = await this.engine.update(ctx, target.def, target.id, operation, lids);
      return { data: await this.engine.resourceObject(ctx, target.def, record) };
    }
    if (!target.id) throw invalidDocument('/ref', 'A remove operation needs ref with the id (or lid) of the resource.');
    await this.engine.remove(ctx, target.def, target.id);
    return {};
  }

  /** What an operation acts on, from `ref`, `href`, or (for add and update) its `data`. */
  private target(ctx: RequestContext, operation: Record<string, unknown>, lids: LidMap): Target {
    if (typeof operation.href === 'string') return this.fromHref(operation.href);
    const ref = operation.ref ?? (isObject(operation.data) ? { type: operation.data.type, id: operation.data.id, lid: operation.data.lid } : undefined);
    const at = operation.ref !== undefined ? '/ref' : '/data';
    if (!isObject(ref) || typeof ref.type !== 'string') throw invalidDocument(at, 'The operation must name its target with ref, href or data.');
    const found = this.registry.find(ref.type);
    if (!found) throw invalidDocument(`${at}/type`, `Unknown type "${ref.type}".`);
    let id: string | undefined;
    if (typeof ref.id === 'string') id = ref.id.toLowerCase();
    else if (typeof ref.lid === 'string' && (operation.op !== 'add' || operation.ref !== undefined)) {
      const local = lids.get(ref.lid);
      if (!local || local.type !== ref.type) throw invalidDocument(`${at}/lid`, `No earlier operation created a ${ref.type} with lid "${ref.lid}".`);
      id = local.id;
    }
    if (operation.op === 'add' && operation.ref === undefined) id = undefined;
    if (id !== undefined && !UUID_PATTERN.test(id)) throw invalidDocument(`${at}/id`, 'An id must be a UUID.');
    const relationship = typeof ref.relationship === 'string' ? ref.relationship : undefined;
    if (relationship !== undefined) {
      if (!found.def.relationships?.[relationship]) throw invalidDocument(`${at}/relationship`, `${ref.type} has no relationship "${relationship}".`);
      if (id === undefined) throw invalidDocument(`${at}/id`, 'A relationship operation needs the id of its resource.');
    }
    void ctx;
    return { def: found.def, id, relationship };
  }

  private fromHref(href: string): Target {
    const path = href.startsWith(API_BASE) ? href.slice(API_BASE.length) : href;
    const [, collection, id, third, fourth] = path.split('?')[0].split('/');
    const found = this.registry.all().find((r) => resourcePath(r.def) === collection);
    if (!found || (id !== undefined && !UUID_PATTERN.test(id))) throw invalidDocument('/href', `"${href}" names no resource of this API.`);
    if (third === undefined) return { def: found.def, id };
    if (third === 'relationships' && fourth && found.def.relationships?.[fourth]) return { def: found.def, id, relationship: fourth };
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
    return this.writes
      .run(ctx, req, async (tx) => ({
        status: 200,
        document: { jsonapi: { version: '1.1' as const, ext: [ATOMIC_EXT] }, 'atomic:results': await this.processor.process(tx, req.body) } as never,
      }))
      .then((outcome) => reply(req, res, { ...outcome, ext: [ATOMIC_EXT] }));
  }
}
