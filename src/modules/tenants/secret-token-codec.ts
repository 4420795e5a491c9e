import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEVICE_TOKEN_PREFIX } from '../../infra/auth/principal-loader';

/**
 * Bearer secrets of the form `<prefix><tenant>.<record>.<secret>`: the tenant and
 * record say where to look, the secret proves it. Only the SHA-256 of the secret
 * is stored (it is 256 random bits, so a plain hash cannot be guessed back).
 */
export class SecretTokenCodec {
  private readonly form: RegExp;

  constructor(readonly prefix: string) {
    this.form = new RegExp(`^${prefix.replace(/\./g, '\\.')}([0-9a-f-]{36})\\.([0-9a-f-]{36})\\.([\\w-]{43})$`);
  }

  issue(tenantId: string, id: string): { token: string; secretHash: string } {
    const secret = randomBytes(32).toString('base64url');
    return { token: `${this.prefix}${tenantId}.${id}.${secret}`, secretHash: this.hash(secret) };
  }

  parse(token: string): { tenantId: string; id: string; secret: string } | null {
    const m = this.form.exec(token);
    return m ? { tenantId: m[1], id: m[2], secret: m[3] } : null;
  }

  hash(secret: string): string {
    return createHash('sha256').update(secret).digest('hex');
  }

  matches(secret: string, secretHash: string): boolean {
    const a = Buffer.from(this.hash(secret));
    const b = Buffer.from(secretHash);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Device tokens: `bdd1.<tenant>.<device>.<secret>`. */
export const DeviceTokenCodec = new SecretTokenCodec(DEVICE_TOKEN_PREFIX);

/** Employee invites: `bdi1.<tenant>.<invite>.<secret>`, accepted once with a password. */
export const InviteTokenCodec = new SecretTokenCodec('bdi1.');
