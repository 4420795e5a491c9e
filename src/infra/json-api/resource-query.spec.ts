import { JsonApiError } from './json-api.errors';
import { defineResource } from './resource-definition';
import { Permission } from '../auth/permissions';
import { CURSOR_PROFILE, parameterKind, parseResourceQuery, refuseQuery, refuseUnreadable } from './resource-query';
import { encodeCursor } from './cursor';

const parts = defineResource({
  type: 'parts',
  attributes: { label: { type: 'string' } },
  relationships: {},
  defaultSort: [],
  page: { defaultSize: 10, maxSize: 10 },
});

const def = defineResource({
  type: 'things',
  attributes: {
    name: { type: 'string', sortable: true, filter: true },
    count: { type: 'integer', filter: true },
    weight: { type: 'decimal', filter: { operators: ['gte', 'lt'] } },
    active: { type: 'boolean', filter: true },
    kind: { type: 'enum', enum: ['flower', 'greenery'], filter: true },
    soldAt: { type: 'datetime', sortable: true, filter: { operators: ['eq', 'gte', 'lt'] } },
    updatedAt: { type: 'datetime', sortable: true },
    secret: { type: 'string', writeOnly: true },
  },
  relationships: {
    owner: { type: 'parts', kind: 'to-one', foreignKey: 'ownerId', filterable: true, includable: true },
    parts: { type: 'parts', kind: 'to-many', includable: true },
    hidden: { type: 'parts', kind: 'to-many' },
  },
  defaultSort: ['-soldAt'],
  page: { defaultSize: 20, maxSize: 50 },
  feed: true,
});

const lookup = (type: string) => ({ things: def, parts })[type];
const parse = (query: Record<string, unknown>, scope?: 'collection' | 'single') => parseResourceQuery(def, query, lookup, scope);

describe(parseResourceQuery.name, () => {
  it('applies the defaults', () => {
    expect(parse({})).toEqual({
      page: { kind: 'number', number: 1, size: 20 },
      sort: [{ attribute: 'soldAt', property: 'soldAt', descending: true }],
      filter: [],
      fields: {},
      include: [],
    });
  });

  it('types every filter value before it can reach SQL', () => {
    const sut = parse({
      'filter[name]': 'a,b',
      'filter[count]': '3,-4',
      'filter[active]': 'true',
      'filter[kind]': 'flower',
      'filter[owner]': '01a21400-0000-7000-8000-000000000000',
      'filter[soldAt][gte]': '2026-03-08T10:00:00+03:00',
      'filter[weight][lt]': '2.5',
    });
    expect(sut.filter).toEqual([
      { field: 'name', property: 'name', operator: 'eq', values: ['a', 'b'] },
      { field: 'count', property: 'count', operator: 'eq', values: [3, -4] },
      { field: 'active', property: 'active', operator: 'eq', values: [true] },
      { field: 'kind', property: 'kind', operator: 'eq', values: ['flower'] },
      { field: 'owner', property: 'ownerId', operator: 'eq', values: ['01a21400-0000-7000-8000-000000000000'] },
      { field: 'soldAt', property: 'soldAt', operator: 'gte', values: [new Date('2026-03-08T07:00:00Z')] },
      { field: 'weight', property: 'weight', operator: 'lt', values: ['2.5'] },
    ]);
  });

  it('parses multi-field sorts, nested includes and sparse fieldsets, including an empty one', () => {
    const sut = parse({ sort: 'name,-soldAt', include: 'parts,owner,parts', 'fields[things]': 'name,owner', 'fields[parts]': '' });
    expect(sut.sort.map((s) => [s.attribute, s.descending])).toEqual([
      ['name', false],
      ['soldAt', true],
    ]);
    expect(sut.include).toEqual(['parts', 'owner']);
    expect(sut.fields).toEqual({ things: ['name', 'owner'], parts: [] });
  });

  it('reads a feed by cursor, ordered by (updatedAt, id)', () => {
    const after = { updatedAt: new Date('2026-03-08T07:00:00.123Z'), id: '01a21400-0000-7000-8000-000000000001' };
    const sut = parse({ 'page[after]': encodeCursor(after), 'page[size]': '5' });
    expect(sut.page).toEqual({ kind: 'cursor', size: 5, after, before: undefined });
    expect(sut.sort.map((s) => s.attribute)).toEqual(['updatedAt', 'id']);
    expect(parse({ 'filter[updatedSince]': '2026-03-01T00:00:00Z' }).page.kind).toBe('cursor');
    expect(CURSOR_PROFILE).toMatch(/cursor-pagination$/);
  });

  it.each([
    [{ 'filter[count]': '1.5' }, 'filter[count]'],
    [{ 'filter[active]': 'yes' }, 'filter[active]'],
    [{ 'filter[kind]': 'rock' }, 'filter[kind]'],
    [{ 'filter[owner]': "1' OR '1'='1" }, 'filter[owner]'],
    [{ 'filter[soldAt][gte]': 'yesterday' }, 'filter[soldAt][gte]'],
    [{ 'filter[weight]': '2' }, 'filter[weight]'],
    [{ 'filter[name][gte]': 'a' }, 'filter[name][gte]'],
    [{ 'filter[secret]': 'x' }, 'filter[secret]'],
    [{ 'fields[things]': 'secret' }, 'fields[things]'],
    [{ 'fields[rocks]': 'x' }, 'fields[rocks]'],
    [{ 'page[size]': '51' }, 'page[size]'],
    [{ 'page[number]': '0' }, 'page[number]'],
    [{ sort: 'count' }, 'sort'],
    [{ include: 'hidden' }, 'include'],
    [{ include: 'parts.owner' }, 'include'],
    [{ foo: 'bar' }, 'foo'],
    [{ 'page[size]': ['1', '2'] }, 'page[size]'],
    [{ 'page[after]': 'not-a-cursor' }, 'page[after]'],
    [{ 'page[after]': encodeCursor({ updatedAt: new Date(), id: '01a21400-0000-7000-8000-000000000001' }), 'page[number]': '2' }, 'page[number]'],
  ])('refuses %p naming %s', (query, parameter) => {
    expect(() => parse(query)).toThrow(JsonApiError);
    expect(() => parse(query)).toThrow(expect.objectContaining({ source: { parameter } }));
  });

  it('names the cursor profile error types', () => {
    const cursor = encodeCursor({ updatedAt: new Date(), id: '01a21400-0000-7000-8000-000000000001' });
    expect(() => parse({ 'page[after]': cursor, 'page[before]': cursor })).toThrow(
      expect.objectContaining({ typeLink: `${CURSOR_PROFILE}/range-pagination-not-supported` }),
    );
    expect(() => parse({ 'page[after]': cursor, 'page[size]': '500' })).toThrow(
      expect.objectContaining({ typeLink: `${CURSOR_PROFILE}/max-size-exceeded`, clientMeta: { page: { maxSize: 50 } } }),
    );
    expect(() => parse({ 'page[after]': cursor, sort: 'name' })).toThrow(expect.objectContaining({ typeLink: `${CURSOR_PROFILE}/unsupported-sort` }));
  });

  it('leaves implementation-specific parameters alone', () => {
    expect(() => parse({ myFlag: '1', 'x-trace': '2', 'my_flag[sub]': '3' })).not.toThrow();
  });

  it.each([['_x'], ['x-'], ['Foo['], ['a@b'], ['a b '], ['foo'], ['filter.x'], ['ext:thing']])('refuses the parameter name %s on every route', (name) => {
    expect(() => parameterKind(name)).toThrow(expect.objectContaining({ source: { parameter: name } }));
    expect(() => parse({ [name]: '1' })).toThrow(expect.objectContaining({ source: { parameter: name } }));
  });

  it.each([['include[x]'], ['page'], ['sort[x]']])("refuses %s, a form of the specification's names it does not define", (name) => {
    expect(() => parse({ [name]: '1' })).toThrow(expect.objectContaining({ source: { parameter: name } }));
  });

  it("tells the specification's names from the implementation's", () => {
    expect(['include', 'sort', 'fields[parts]', 'filter[soldAt][gte]', 'page[size]'].map(parameterKind)).toEqual(Array(5).fill('specification'));
    expect(['traceId', 'x-trace', 'A1', 'my flag', 'Öko'].map(parameterKind)).toEqual(Array(5).fill('implementation'));
  });

  it('refuses every parameter of the specification where a route takes none, and ignores the implementation’s', () => {
    expect(() => refuseQuery({ include: 'parts' }, 'no document.')).toThrow(expect.objectContaining({ source: { parameter: 'include' } }));
    expect(() => refuseQuery({ 'fields[parts]': '' }, 'no document.')).toThrow(expect.objectContaining({ source: { parameter: 'fields[parts]' } }));
    expect(() => refuseQuery({ traceId: '1' }, 'no document.')).not.toThrow();
  });

  it('refuses collection parameters on a single resource', () => {
    expect(() => parse({ sort: 'name' }, 'single')).toThrow(expect.objectContaining({ source: { parameter: 'sort' } }));
    expect(() => parse({ 'fields[things]': 'name', include: 'parts' }, 'single')).not.toThrow();
  });
});

describe(refuseUnreadable.name, () => {
  const priced = defineResource({
    type: 'lines',
    attributes: {
      label: { type: 'string', sortable: true, filter: true },
      cost: { type: 'integer', sortable: true, filter: true, readPermission: Permission.StockCostRead },
    },
    relationships: {},
    defaultSort: ['label'],
    page: { defaultSize: 10, maxSize: 10 },
  });
  const query = (q: Record<string, unknown>) => parseResourceQuery(priced, q, () => undefined);

  it('refuses a filter or a sort on what the role may not read, at the parameter, and lets the roles that may', () => {
    expect(() => refuseUnreadable(priced, query({ 'filter[cost]': '5' }), 'florist')).toThrow(expect.objectContaining({ code: 'invalid-query-parameter', source: { parameter: 'filter[cost]' } }));
    expect(() => refuseUnreadable(priced, query({ sort: 'label,-cost' }), 'florist')).toThrow(expect.objectContaining({ code: 'invalid-query-parameter', source: { parameter: 'sort' } }));
    expect(() => refuseUnreadable(priced, query({ 'filter[cost]': '5', sort: '-cost' }), 'manager')).not.toThrow();
    expect(() => refuseUnreadable(priced, query({ 'filter[label]': 'a', sort: 'label' }), 'florist')).not.toThrow();
  });
});
