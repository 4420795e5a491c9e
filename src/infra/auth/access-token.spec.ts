import type { AppConfig } from '../../config/app-config';
import { AccessTokenService } from './access-token';
import { AuthError, AuthErrorCode } from './auth.errors';

const config = (secret: string) =>
  ({ auth: { tokenSecret: secret, accessTtlSeconds: 900, refreshTtlSeconds: 86400 } }) as AppConfig;

describe(AccessTokenService.name, () => {
  const sut = new AccessTokenService(config('s'.repeat(32)));
  const claims = { sub: 'user-1', tid: 'tenant-1', sid: 'session-1' };

  it('verifies the tokens it signs and returns their claims', () => {
    const { token, expiresAt } = sut.sign(claims, Date.parse('2026-01-01T00:00:00Z'));
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:15:00.000Z');
    expect(sut.verify(token, Date.parse('2026-01-01T00:14:59Z'))).toMatchObject(claims);
  });

  it('rejects an expired token with its own code', () => {
    const { token } = sut.sign(claims, Date.parse('2026-01-01T00:00:00Z'));
    expect(() => sut.verify(token, Date.parse('2026-01-01T00:15:00Z'))).toThrow(
      expect.objectContaining({ code: AuthErrorCode.ExpiredToken }),
    );
  });

  it('still checks the expiry of a token it verified before, and never remembers a forged one', () => {
    const { token } = sut.sign(claims, Date.parse('2026-01-02T00:00:00Z'));
    expect(sut.verify(token, Date.parse('2026-01-02T00:01:00Z'))).toMatchObject(claims);
    expect(() => sut.verify(token, Date.parse('2026-01-02T00:15:00Z'))).toThrow(expect.objectContaining({ code: AuthErrorCode.ExpiredToken }));
    const [h, p, sig] = token.split('.');
    const forged = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    for (let i = 0; i < 2; i++) expect(() => sut.verify(forged, Date.parse('2026-01-02T00:01:00Z'))).toThrow(expect.objectContaining({ code: AuthErrorCode.InvalidToken }));
  });

  it.each([
    ['another key', () => new AccessTokenService(config('t'.repeat(32))).sign(claims).token],
    ['a changed payload', () => {
      const [h, , s] = sut.sign(claims).token.split('.');
      const forged = Buffer.from(JSON.stringify({ iss: 'bloomdesk', ...claims, tid: 'tenant-2', exp: 9e9 })).toString('base64url');
      return `${h}.${forged}.${s}`;
    }],
    ['alg none', () => {
      const [, p] = sut.sign(claims).token.split('.');
      return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    }],
    ['garbage', () => 'not-a-token'],
  ])('rejects a token signed with %s', (_label, make) => {
    const token = make();
    expect(() => sut.verify(token)).toThrow(AuthError);
    expect(() => sut.verify(token)).toThrow(expect.objectContaining({ code: AuthErrorCode.InvalidToken }));
  });
});
