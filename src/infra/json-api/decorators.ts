import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ResourceDefinition } from './resource-definition';
import { parseResourceDocument } from './resource-document';
import { type ResourceQuery, parseResourceQuery } from './resource-query';

declare module 'fastify' {
  interface FastifyRequest {
    /** The parsed query, for the response interceptor's links and fieldsets. */
    jsonApiQuery?: ResourceQuery;
    /** Extensions and profiles the request asked for and the server applies. */
    jsonApiMedia?: { ext: string[]; profile: string[] };
  }
}

const request = (host: ExecutionContext) => host.switchToHttp().getRequest<FastifyRequest>();

/**
 * The request's JSON:API query, parsed and checked against the resource's whitelists.
 *
 * @example
 * list(@Ctx() ctx: RequestContext, @QueryOf(storeResource) query: ResourceQuery) {}
 */
export const QueryOf = createParamDecorator(
  ([def, scope]: [ResourceDefinition, 'collection' | 'single'], host: ExecutionContext): ResourceQuery => {
    const req = request(host);
    req.jsonApiQuery = parseResourceQuery(def, (req.query ?? {}) as Record<string, unknown>, scope);
    return req.jsonApiQuery;
  },
);

/**
 * The body's resource object, parsed and validated: `{ id, attributes }` where
 * attributes is an instance of the DTO. On update the id must equal `:id` of the URL.
 *
 * @example
 * create(@Ctx() ctx: RequestContext, @BodyOf(storeResource, StoreCreateDto, 'create') body: ParsedResource<StoreCreateDto>) {}
 */
export const BodyOf = createParamDecorator(
  ([def, dto, mode]: [ResourceDefinition, new () => object, 'create' | 'update'], host: ExecutionContext) => {
    const req = request(host);
    return parseResourceDocument(def, dto, req.body, mode, (req.params as { id?: string }).id);
  },
);

export type ResponseShape = 'single' | 'collection' | 'created' | 'empty';
export const RESPOND_KEY = 'bloomdesk:json-api:respond';

/**
 * How the handler's result becomes a document: a resource, a page of resources
 * (`Page<T>`), a created resource (with `Location`), or no content.
 */
export const Respond = (def: ResourceDefinition | null, shape: ResponseShape) => SetMetadata(RESPOND_KEY, { def, shape });
