import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, map } from 'rxjs';
import { RESPOND_KEY, type ResponseShape } from './decorators';
import { responseContentType } from './media-type';
import { type Page, canonicalUrl, pageLinks } from './pagination';
import type { ResourceDefinition } from './resource-definition';
import { API_BASE, type Identified, JsonApiSerializer } from './serializer';

/** Serializes what a handler returns according to its `@Respond(...)`. */
@Injectable()
export class JsonApiResponseInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly serializer: JsonApiSerializer,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<{ def: ResourceDefinition | null; shape: ResponseShape } | undefined>(
      RESPOND_KEY,
      context.getHandler(),
    );
    if (!spec) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((result: unknown) => {
        if (spec.shape === 'empty' || !spec.def) return undefined;
        const media = request.jsonApiMedia ?? { ext: [], profile: [] };
        reply.header('content-type', responseContentType(media.ext, media.profile));
        const def = spec.def;
        const fields = request.jsonApiQuery?.fields[def.type];
        if (spec.shape === 'collection') {
          const page = result as Page<Identified>;
          const query = request.jsonApiQuery!;
          return this.serializer.collection(def, page.items, { links: pageLinks(request.url, query, page.total), meta: { total: page.total } }, fields);
        }
        const record = result as Identified;
        const self = `${API_BASE}/${def.path}/${record.id}`;
        if (spec.shape === 'created') reply.header('location', self);
        return this.serializer.resource(def, record, { links: { self: spec.shape === 'created' ? self : canonicalUrl(request.url) } }, fields);
      }),
    );
  }
}
