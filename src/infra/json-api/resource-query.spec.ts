import { JsonApiError } from './json-api.errors';
import { defineResource } from './resource-definition';
import { parseResourceQuery } from './resource-query';

const def = defineResource({
  type: 'things',
  path: 'things',
  attributes: {
    name: { sortable: true, filter: 'string' },
    count: { filter: 'integer' },
    active: { filter: 'boolean' },
    ownerId: { filter: 'uuid' },
    soldAt: { sortable: true, filter: 'datetime' },
    secret: { writeOnly: true },
  },
  defaultSort: ['-soldAt'],
  page: { defaultSize: 20, maxSize: 50 },
});

describe(parseResourceQuery.name, () => {
  it('applies the defaults', () => {
    expect(parseResourceQuery(def, {})).toEqual({
      page: { number: 1, size: 20 },
      sort: [{ attribute: 'soldAt', descending: true }],
      filter: {},
      fields: {},
      include: [],
    });
  });

  it('types every filter value before it can reach SQL', () => {
    const sut = parseResourceQuery(def, {
      'filter[name]': 'a,b',
      'filter[count]': '3,-4',
      'filter[active]': 'true',
      'filter[ownerId]': '01a21400-0000-7000-8000-000000000000',
      'filter[soldAt]': '2026-03-08T10:00:00+03:00',
    });
    expect(sut.filter).toEqual({
      name: ['a', 'b'],
      count: [3, -4],
      active: [true],
      ownerId: ['01a21400-0000-7000-8000-000000000000'],
      soldAt: [new Date('2026-03-08T07:00:00Z')],
    });
  });

  it('parses multi-field sorts and sparse fieldsets, including an empty one', () => {
    const sut = parseResourceQuery(def, { sort: 'name,-soldAt', 'fields[things]': '' });
    expect(sut.sort).toEqual([
      { attribute: 'name', descending: false },
      { attribute: 'soldAt', descending: true },
    ]);
    expect(sut.fields).toEqual({ things: [] });
  });

  it.each([
    [{ 'filter[count]': '1.5' }, 'filter[count]'],
    [{ 'filter[active]': 'yes' }, 'filter[active]'],
    [{ 'filter[ownerId]': "1' OR '1'='1" }, 'filter[ownerId]'],
    [{ 'filter[soldAt]': 'yesterday' }, 'filter[soldAt]'],
    [{ 'filter[secret]': 'x' }, 'filter[secret]'],
    [{ 'fields[things]': 'secret' }, 'fields[things]'],
    [{ 'page[size]': '51' }, 'page[size]'],
    [{ 'page[number]': '0' }, 'page[number]'],
    [{ sort: 'count' }, 'sort'],
    [{ include: 'owner' }, 'include'],
    [{ foo: 'bar' }, 'foo'],
    [{ 'page[size]': ['1', '2'] }, 'page[size]'],
  ])('refuses %p naming %s', (query, parameter) => {
    expect(() => parseResourceQuery(def, query)).toThrow(JsonApiError);
    expect(() => parseResourceQuery(def, query)).toThrow(expect.objectContaining({ source: { parameter } }));
  });

  it('leaves implementation-specific parameters alone', () => {
    expect(() => parseResourceQuery(def, { myFlag: '1', 'x-trace': '2' })).not.toThrow();
  });

  it('refuses collection parameters on a single resource', () => {
    expect(() => parseResourceQuery(def, { sort: 'name' }, 'single')).toThrow(expect.objectContaining({ source: { parameter: 'sort' } }));
    expect(() => parseResourceQuery(def, { 'fields[things]': 'name' }, 'single')).not.toThrow();
  });
});
