import { Injectable } from '@nestjs/common';
import type { AccessClaims } from '../../infra/auth/access-token';
import { PrincipalCache } from '../../infra/auth/principal-cache';
import type { Principal, PrincipalLoader } from '../../infra/auth/principal-loader';
import { DeviceTokenCodec } from './secret-token-codec';
import { PrincipalRepository } from './principal.repository';

/** Devices report in often; their last-seen time is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The check behind every authenticated request, for people (access tokens) and
 * devices (device tokens): the catalog's answer, kept per credential while its
 * principal versions are current (`PrincipalCache`).
 */
@Injectable()
export class PrincipalService implements PrincipalLoader {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly principals: PrincipalRepository,
    private readonly cache: PrincipalCache,
  ) {}

  fromAccessToken(claims: AccessClaims): Promise<Principal | null> {
    return this.cache.resolve(`s:${claims.tid}:${claims.sid}:${claims.sub}`, claims.tid, claims.sub, async () => {
      const found = await this.principals.forSession(claims.tid, claims.sid, claims.sub, new Date());
      return found && { value: found.principal, validUntil: found.expiresAt.getTime() };
    });
  }

  async fromDeviceToken(token: string): Promise<Principal | null> {
    const parts = DeviceTokenCodec.parse(token);
    if (!parts) return null;
    const found = await this.cache.resolve(`d:${parts.tenantId}:${parts.id}`, parts.tenantId, parts.id, async () => {
      const device = await this.principals.forDevice(parts.tenantId, parts.id);
      return device && { value: device, validUntil: Infinity };
    });
    // The secret is checked on every request, remembered device or not.
    if (!found || !DeviceTokenCodec.matches(parts.secret, found.secretHash)) return null;
    const now = Date.now();
    if (now - (this.touched.get(parts.id) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(parts.id, now);
      if (this.touched.size > 50_000) this.touched.clear();
      await this.principals.touchDevice(parts.tenantId, parts.id, new Date(now));
    }
    return found.principal;
  }
}
