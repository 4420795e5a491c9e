import { UUID7_PATTERN, UUID_PATTERN, Uuid7Generator, uuid7 } from './uuid7';

describe(Uuid7Generator.name, () => {
  it('makes RFC 9562 version 7 ids', () => {
    const sut = uuid7();
    expect(sut).toMatch(UUID_PATTERN);
    expect(sut).toMatch(UUID7_PATTERN);
    expect(sut[14]).toBe('7');
  });

  it('tells a UUIDv7 from the other versions, which are still UUIDs', () => {
    const [v1, v4, v7] = ['c232ab00-9414-11ec-b3c8-9f6bdeced846', '3f0c8a1e-5b7d-4c2a-9e6f-1a2b3c4d5e6f', '0190a1b2-0000-7000-8000-0000000000aa'];
    expect([v1, v4, v7].map((id) => UUID_PATTERN.test(id))).toEqual([true, true, true]);
    expect([v1, v4, v7].map((id) => UUID7_PATTERN.test(id))).toEqual([false, false, true]);
  });

  it('encodes the time so ids made later sort after earlier ones', () => {
    const sut = new Uuid7Generator();
    const earlier = sut.next(Date.parse('2026-01-01T00:00:00Z'));
    const later = sut.next(Date.parse('2026-01-01T00:00:01Z'));
    expect(later > earlier).toBe(true);
    expect(parseInt(later.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2026-01-01T00:00:01Z'));
  });

  it('keeps ids made in the same millisecond ordered and distinct', () => {
    const sut = new Uuid7Generator();
    const ids = Array.from({ length: 1000 }, () => sut.next(Date.parse('2030-01-01T00:00:00Z')));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('never goes backwards when the clock does', () => {
    const sut = new Uuid7Generator();
    const first = sut.next(Date.parse('2030-01-01T00:00:05Z'));
    const afterStepBack = sut.next(Date.parse('2030-01-01T00:00:01Z'));
    expect(afterStepBack > first).toBe(true);
  });
});
