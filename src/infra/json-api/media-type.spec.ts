import { ATOMIC_EXT, acceptsCsv, negotiate, responseContentType } from './media-type';

describe(negotiate.name, () => {
  it.each([
    [undefined, undefined],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    [`application/vnd.api+json; ext="${ATOMIC_EXT}"`, `application/vnd.api+json; ext="${ATOMIC_EXT}"`],
    ['application/vnd.api+json; profile="https://a.example/p https://b.example/q"', '*/*'],
    [undefined, 'application/vnd.api+json; foo=bar, application/vnd.api+json;q=0.5'],
    [undefined, `application/vnd.api+json; ext="${ATOMIC_EXT}";q=0, application/vnd.api+json`],
    [undefined, 'application/*;q=0.001'],
  ])('accepts Content-Type %p with Accept %p', (contentType, accept) => {
    expect(negotiate(contentType, accept).ok).toBe(true);
  });

  it.each([
    ['application/json', undefined, 415],
    ['application/vnd.api+json; charset=utf-8', undefined, 415],
    ['application/vnd.api+json; q=1', undefined, 415],
    ['application/vnd.api+json; ext="https://unknown.example/ext"', undefined, 415],
    [undefined, 'application/vnd.api+json; charset=utf-8', 406],
    [undefined, 'text/html', 406],
    [undefined, 'application/vnd.api+json; ext="https://unknown.example/ext", */*', 406],
    [undefined, 'application/vnd.api+json;q=0', 406],
    [undefined, 'application/vnd.api+json; q=0.0', 406],
    [undefined, '*/*;q=0', 406],
    [undefined, 'application/vnd.api+json;q=0, text/html', 406],
    [undefined, 'application/vnd.api+json;q=0, */*', 406],
    [undefined, 'application/*;q=0, */*', 406],
  ])('refuses Content-Type %p with Accept %p: %i', (contentType, accept, status) => {
    expect(negotiate(contentType, accept)).toMatchObject({ ok: false, status });
  });

  it('reports the extensions and profiles asked for', () => {
    expect(negotiate(`application/vnd.api+json; ext="${ATOMIC_EXT}"; profile="https://p.example"`, undefined)).toEqual({
      ok: true,
      ext: [ATOMIC_EXT],
      profile: ['https://p.example'],
    });
  });
});

describe(responseContentType.name, () => {
  it('echoes applied extensions and profiles and nothing else', () => {
    expect(responseContentType([], [])).toBe('application/vnd.api+json');
    expect(responseContentType([ATOMIC_EXT], ['https://p.example'])).toBe(
      `application/vnd.api+json; ext="${ATOMIC_EXT}"; profile="https://p.example"`,
    );
  });
});

describe(acceptsCsv.name, () => {
  it.each([undefined, '', 'text/csv', 'text/*', '*/*', 'application/json, text/csv;q=0.5', 'text/csv; charset=utf-8'])('lets an export answer CSV to Accept: %j', (accept) => {
    expect(acceptsCsv(accept)).toBe(true);
  });

  it.each(['application/vnd.api+json', 'application/json', 'text/csv;q=0', 'text/csv;q=0, */*', 'text/*;q=0, */*', 'text/html', 'application/*'])('refuses Accept: %j (406)', (accept) => {
    expect(acceptsCsv(accept)).toBe(false);
  });
});
