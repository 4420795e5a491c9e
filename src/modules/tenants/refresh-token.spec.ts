import { RefreshTokenCodec } from './refresh-token';

describe(RefreshTokenCodec.name, () => {
  const sut = new RefreshTokenCodec('k'.repeat(32));
  const tenant = '01a21400-0000-7000-8000-000000000001';
  const session = '01a21400-0000-7000-8000-000000000002';

  it('checks a token of any generation against the session seed', () => {
    const first = sut.issue(tenant, session, 1, 'seed');
    const second = sut.issue(tenant, session, 2, 'seed');
    expect(sut.matches(sut.parse(first)!, 'seed')).toBe(true);
    expect(sut.matches(sut.parse(second)!, 'seed')).toBe(true);
    expect(sut.parse(second)).toMatchObject({ tenantId: tenant, sessionId: session, generation: 2 });
  });

  it('rejects another seed, another key, a changed generation and garbage', () => {
    const token = sut.issue(tenant, session, 1, 'seed');
    expect(sut.matches(sut.parse(token)!, 'other seed')).toBe(false);
    expect(new RefreshTokenCodec('j'.repeat(32)).matches(sut.parse(token)!, 'seed')).toBe(false);
    expect(sut.matches(sut.parse(token.replace('.1.', '.2.'))!, 'seed')).toBe(false);
    expect(sut.parse('rt1.garbage')).toBeNull();
  });
});
