import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEVICE_TOKEN_PREFIX } from '../../infra/auth/principal-loader';

const FORM = /^bdd1\.([0-9a-f-]{36})\.([0-9a-f-]{36})\.([\w-]{43})$/;

/** `bdd1.<tenant>.<device>.<secret>`: the tenant and device say where to look, the secret proves it. */
export const DeviceTokenCodec = {
  issue(tenantId: string, deviceId: string): { token: string; secretHash: string } {
    const secret = randomBytes(32).toString('base64url');
    return { token: `${DEVICE_TOKEN_PREFIX}${tenantId}.${deviceId}.${secret}`, secretHash: DeviceTokenCodec.hash(secret) };
  },

  parse(token: string): { tenantId: string; deviceId: string; secret: string } | null {
    const m = FORM.exec(token);
    return m ? { tenantId: m[1], deviceId: m[2], secret: m[3] } : null;
  },

  hash(secret: string): string {
    return createHash('sha256').update(secret).digest('hex');
  },

  matches(secret: string, secretHash: string): boolean {
    const a = Buffer.from(DeviceTokenCodec.hash(secret));
    const b = Buffer.from(secretHash);
    return a.length === b.length && timingSafeEqual(a, b);
  },
};
