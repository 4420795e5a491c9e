import { Controller, Delete, Get, Inject, type OnModuleInit, Param, Patch, Post, Req, Res, type Type } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { CachedRead } from '../cache/cached-read';
import { Ctx } from '../tenancy/ctx.decorator';
import type { RequestContext } from '../tenancy/request-context';
import { CSV_MEDIA_TYPE, EXPORT_ROUTE, EXPORT_SEGMENT } from './csv';
import { reply } from './json-api.reply';
import { type ResourceDefinition, relationshipNamed, resourcePath } from './resource-definition';
import { ResourceEngine } from './resource-engine';
import type { ResourceHandler } from './resource-handler';
import { ResourceExporter } from './resource-export';
import { parseResourceQuery, refuseQuery } from './resource-query';
import { ResourceRegistry } from './resource-registry';
import { API_BASE } from './serializer';
import { UuidParam } from './uuid-param.pipe';
import { WriteGate } from './write-gate';

type Query = Record<string, unknown>;
const query = (request: FastifyRequest) => (request.query ?? {}) as Query;
const NO_DOCUMENT = 'this request answers 204 with no document.';
const pascal = (type: string) => type.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * The controller of one resource type, generated from its definition: every
 * JSON:API route (collection, resource, relationship and related endpoints),
 * each guarded by the permission the definition names. Every route checks the
 * query it takes before it does anything: a create's or update's answer honours
 * `include` and `fields`; a route answering 204 takes none of JSON:API's
 * parameters. Writes run in a transaction of the database the definition's
 * `storage` names. A module lists `resourceController(definition, HandlerClass)`
 * among its controllers and writes no JSON:API code of its own.
 *
 * @example
 * @Module({ controllers: [resourceController(storeResource, StoreService)], providers: [StoreService] })
 */
export function resourceController(def: ResourceDefinition, handler: Type<ResourceHandler>): Type<unknown> {
  const read = def.permissions!.read;
  const write = (p: keyof NonNullable<ResourceDefinition['permissions']>) => def.permissions?.[p] ?? read;

  @Controller(`api/v1/${resourcePath(def)}`)
  class ResourceController implements OnModuleInit {
    constructor(
      @Inject(handler) private readonly handler: ResourceHandler,
      private readonly registry: ResourceRegistry,
      private readonly engine: ResourceEngine,
      private readonly writes: WriteGate,
      private readonly exporter: ResourceExporter,
    ) {}

    onModuleInit(): void {
      this.registry.register(def, this.handler);
    }

    @Get()
    @RequirePermission(read)
    async list(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const raw = query(req);
      // Decrypted personal data must never reach a shared cache.
      if (def.cache && this.revealsSecrets(raw)) res.header('cache-control', 'no-store');
      const { document, profile } = await this.engine.list(ctx, def, raw, req.url);
      return reply(req, res, { status: 200, document, profile });
    }

    /**
     * The CSV export (a route only when the definition has `export`, decorated
     * below). A static segment: Fastify matches it before `/:id`. Sized and put
     * on the audit log before the first byte; never cached (it holds decrypted data).
     */
    async exportCsv(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const csv = await this.exporter.start(ctx, def, query(req));
      res.status(200);
      res.header('content-type', `${CSV_MEDIA_TYPE}; charset=utf-8`);
      res.header('content-disposition', `attachment; filename="${csv.filename}"`);
      res.header('cache-control', 'no-store');
      res.header('x-export-rows', String(csv.rows));
      return csv.body;
    }

    @Post()
    @RequirePermission(write('create'))
    create(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const shown = parseResourceQuery(def, query(req), this.engine.lookup, 'single');
      return this.writes
        .run(
          ctx,
          req,
          async (tx) => {
            const record = await this.engine.create(tx, def, req.body);
            const location = `${API_BASE}/${resourcePath(def)}/${record.id}`;
            return { status: 201, location, document: await this.engine.render(tx, def, record, shown) };
          },
          def.storage,
        )
        .then((outcome) => reply(req, res, outcome));
    }

    @Get(':id')
    @RequirePermission(read)
    async fetch(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const { document } = await this.engine.fetch(ctx, def, id, query(req), req.url);
      return reply(req, res, { status: 200, document });
    }

    @Patch(':id')
    @RequirePermission(write('update'))
    update(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const shown = parseResourceQuery(def, query(req), this.engine.lookup, 'single');
      return this.writes
        .run(
          ctx,
          req,
          async (tx) => {
            const record = await this.engine.update(tx, def, id, req.body);
            return { status: 200, document: await this.engine.render(tx, def, record, shown) };
          },
          def.storage,
        )
        .then((outcome) => reply(req, res, outcome));
    }

    @Delete(':id')
    @RequirePermission(write('delete'))
    remove(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      refuseQuery(query(req), NO_DOCUMENT);
      return this.writes
        .run(
          ctx,
          req,
          async (tx) => {
            await this.engine.remove(tx, def, id);
            return { status: 204 };
          },
          def.storage,
        )
        .then((outcome) => reply(req, res, outcome));
    }

    @Get(':id/relationships/:rel')
    @RequirePermission(read)
    async relationship(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Param('rel') rel: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const { document } = await this.engine.relationship(ctx, def, id, rel, query(req));
      return reply(req, res, { status: 200, document });
    }

    @Patch(':id/relationships/:rel')
    @RequirePermission(write('update'))
    setRelationship(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Param('rel') rel: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      return this.changeRelationship(ctx, id, rel, 'set', req, res);
    }

    @Post(':id/relationships/:rel')
    @RequirePermission(write('update'))
    addToRelationship(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Param('rel') rel: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      return this.changeRelationship(ctx, id, rel, 'add', req, res);
    }

    @Delete(':id/relationships/:rel')
    @RequirePermission(write('update'))
    removeFromRelationship(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Param('rel') rel: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      return this.changeRelationship(ctx, id, rel, 'remove', req, res);
    }

    @Get(':id/:rel')
    @RequirePermission(read)
    async related(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string, @Param('rel') rel: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
      const { document } = await this.engine.related(ctx, def, id, rel, query(req), req.url);
      return reply(req, res, { status: 200, document });
    }

    /** Whether the document (its type or an included one) carries sensitive attributes. */
    private revealsSecrets(raw: Query): boolean {
      const sensitive = (d: ResourceDefinition | undefined) => Object.values(d?.attributes ?? {}).some((a) => a.sensitive);
      if (sensitive(def)) return true;
      const paths = typeof raw.include === 'string' && raw.include ? raw.include.split(',') : [];
      return paths.some((path) => {
        let current: ResourceDefinition | undefined = def;
        return path.split('.').some((segment) => {
          const rel = relationshipNamed(current, segment);
          current = rel && this.registry.find(rel.type)?.def;
          return sensitive(current);
        });
      });
    }

    private changeRelationship(ctx: RequestContext, id: string, rel: string, mode: 'set' | 'add' | 'remove', req: FastifyRequest, res: FastifyReply) {
      refuseQuery(query(req), NO_DOCUMENT);
      return this.writes
        .run(
          ctx,
          req,
          async (tx) => {
            await this.engine.changeRelationship(tx, def, id, rel, mode, req.body);
            return { status: 204 };
          },
          def.storage,
        )
        .then((outcome) => reply(req, res, outcome));
    }
  }

  if (def.export) {
    const exportCsv = Object.getOwnPropertyDescriptor(ResourceController.prototype, 'exportCsv')!;
    for (const decorate of [Get(EXPORT_SEGMENT), RequirePermission(def.export.permission), RouteConfig({ [EXPORT_ROUTE]: true })]) {
      decorate(ResourceController.prototype, 'exportCsv', exportCsv);
    }
  }
  if (def.cache) {
    const byRole = def.cache.byRole ?? Object.values(def.attributes).some((a) => a.readPermission);
    const list = Object.getOwnPropertyDescriptor(ResourceController.prototype, 'list')!;
    CachedRead({ ...def.cache, byRole })(ResourceController.prototype, 'list', list);
  }
  Object.defineProperty(ResourceController, 'name', { value: `${pascal(def.type)}ResourceController` });
  return ResourceController;
}

