import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'rt1';
const FORM = /^rt1\.([0-9a-f-]{36})\.([0-9a-f-]{36})\.(\d{1,9})\.([\w-]{43})$/;

export interface RefreshTokenParts {
  tenantId: string;
  sessionId: string;
  generation: number;
  mac: string;
}

/**
 * Refresh tokens: `rt1.<tenant>.<session>.<generation>.<mac>`, the mac an HMAC of
 * those and the session's stored seed under the server's key. The server can
 * check a token of any generation (to tell a replayed old one from a forgery)
 * without keeping the tokens it issued.
 */
export class RefreshTokenCodec {
  constructor(private readonly key: string) {}

  issue(tenantId: string, sessionId: string, generation: number, seed: string): string {
    return [PREFIX, tenantId, sessionId, generation, this.mac(tenantId, sessionId, generation, seed)].join('.');
  }

  parse(token: string): RefreshTokenParts | null {
    const m = FORM.exec(token);
    return m ? { tenantId: m[1], sessionId: m[2], generation: Number(m[3]), mac: m[4] } : null;
  }

  matches(parts: RefreshTokenParts, seed: string): boolean {
    const expected = Buffer.from(this.mac(parts.tenantId, parts.sessionId, parts.generation, seed));
    const actual = Buffer.from(parts.mac);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  private mac(tenantId: string, sessionId: string, generation: number, seed: string): string {
    return createHmac('sha256', this.key).update(`refresh:${tenantId}:${sessionId}:${generation}:${seed}`).digest('base64url');
  }
}
