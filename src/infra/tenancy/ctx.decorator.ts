import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from './request-context';

/**
 * The request context the auth guard built. Pass it on as the first argument.
 *
 * @example
 * list(@Ctx() ctx: RequestContext) { return this.stores.list(ctx); }
 */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const ctx = host.switchToHttp().getRequest<FastifyRequest>().ctx;
  // Only reachable if a public route asks for a context: a programming error.
  if (!ctx) throw new Error('No request context on a public route');
  return ctx;
});
