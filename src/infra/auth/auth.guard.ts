import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { assignLogFields } from '../observability/logging';
import type { RequestContext } from '../tenancy/request-context';
import { AccessTokenService } from './access-token';
import { AuthError, AuthErrorCode, tenantMoving } from './auth.errors';
import { PERMISSION_KEY, PUBLIC_KEY, type Permission, can } from './permissions';
import { DEVICE_TOKEN_PREFIX, PRINCIPAL_LOADER, type PrincipalLoader } from './principal-loader';

declare module 'fastify' {
  interface FastifyRequest {
    ctx?: RequestContext;
  }
}

/** What a route declares for the guard, read from its metadata once per handler. */
interface RouteAccess {
  isPublic: boolean;
  permission: Permission | undefined;
}

/**
 * Runs on every route. Public routes pass; every other route needs a valid
 * bearer token whose session is live, and a role the permission matrix allows.
 * It builds the request context once, puts it on the request for `@Ctx()`, and
 * adds tenant and user to the request's log lines.
 */

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  /** By controller class, then handler: a handler a class inherits may be declared otherwise on another class. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAccess>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
    @Inject(PRINCIPAL_LOADER) private readonly principals: PrincipalLoader,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, permission } = this.access(context);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\w.-]+)$/.exec(header) : null;
    if (!match) {
      throw new AuthError(AuthErrorCode.MissingToken, 'Send Authorization: Bearer <accessToken>.', { header: 'Authorization' });
    }
    const token = match[1];
    const principal = token.startsWith(DEVICE_TOKEN_PREFIX)
      ? await this.principals.fromDeviceToken(token)
      : await this.principals.fromAccessToken(this.tokens.verify(token));
    if (!principal) {
      throw new AuthError(AuthErrorCode.SessionRevoked, 'This session or device has ended; log in again.', { header: 'Authorization' });
    }
    if (principal.tenantStatus === 'moving' && request.method !== 'GET') {
      throw tenantMoving();
    }

    if (!permission) this.logger.error(`route without a permission: ${request.method} ${request.routeOptions.url}`);
    if (!permission || !can(principal.role, permission)) {
      throw new AuthError(AuthErrorCode.Forbidden, 'Your role does not allow this.');
    }
    const { tenantStatus: _status, ...scope } = principal;
    request.ctx = { ...scope, requestId: String(request.id), clientIp: request.ip };
    assignLogFields({ tenantId: principal.tenantId, userId: principal.userId });
    return true;
  }

  /** Route metadata does not change once the application runs: read per handler once, not per request. */
  private access(context: ExecutionContext): RouteAccess {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new WeakMap()));
    let access = byHandler.get(handler);
    if (!access) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        permission: this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets),
      };
      byHandler.set(handler, access);
    }
    return access;
  }
}
