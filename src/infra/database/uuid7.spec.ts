import { UUID_PATTERN, Uuid7Generator, uuid7 } from './uuid7';

describe(Uuid7Generator.name, () => {
  it('makes RFC 9562 version 7 ids', () => {
    const sut = uuid7();
    expect(sut).toMatch(UUID_PATTERN);
    expect(sut[14]).toBe('7');
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
