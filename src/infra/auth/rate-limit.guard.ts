import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { type Limit, RateLimiter } from '../cache/rate-limiter';
import { AuthError, AuthErrorCode } from './auth.errors';

const RATE_LIMIT_KEY = 'bloomdesk:rate-limit';

/** Limits a route per client address; counted before the body is even parsed. */
export const RateLimit = (limit: Limit) => SetMetadata(RATE_LIMIT_KEY, limit);

/** The error filter turns `meta.retryAfter` into a Retry-After header. */
export function rateLimited(retryAfter: number): AuthError {
  return new AuthError(AuthErrorCode.RateLimited, `Too many attempts; try again in ${retryAfter} seconds.`, undefined, {
    retryAfter,
  });
}

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.reflector.get<Limit | undefined>(RATE_LIMIT_KEY, context.getHandler());
    if (!limit) return true;
    const { count, retryAfter } = await this.limiter.hit(limit, context.switchToHttp().getRequest<FastifyRequest>().ip);
    if (count > limit.max) throw rateLimited(retryAfter);
    return true;
  }
}
