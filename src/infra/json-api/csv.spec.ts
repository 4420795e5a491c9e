import { csvCell, csvLine, neutralise } from './csv';
import { defineResource } from './resource-definition';
import { exportColumns } from './resource-export';
import { Permission } from '../auth/permissions';

describe('csv', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+7 916 123-45-67', "'+7 916 123-45-67"],
    ['-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', "'\rCR"],
    ['-3.5', '-3.5'],
    ['-12', '-12'],
    ['Rose', 'Rose'],
    ['a=b', 'a=b'],
  ])('neutralises %j as %j (OWASP CSV injection; plain numbers stay numbers)', (value, expected) => {
    expect(neutralise(value)).toBe(expected);
  });

  it('quotes cells holding a comma, a quote, CR or LF (RFC 4180), doubling quotes; null is empty', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('Rose "Naomi"')).toBe('"Rose ""Naomi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell('')).toBe('');
    expect(csvLine(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });

  it('gives each role only the columns it may read: id, readable attributes, then to-one relationship ids', () => {
    const def = defineResource({
      type: 'things',
      attributes: {
        name: { type: 'string' },
        cost: { type: 'integer', readPermission: Permission.StockCostRead },
        password: { type: 'string', writeOnly: true },
      },
      relationships: { store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId' }, tags: { type: 'tags', kind: 'to-many' } },
      defaultSort: [],
      page: { defaultSize: 1, maxSize: 1 },
    });
    expect(exportColumns({ role: 'owner' }, def).map((c) => c.name)).toEqual(['id', 'name', 'cost', 'store']);
    expect(exportColumns({ role: 'florist' }, def).map((c) => c.name)).toEqual(['id', 'name', 'store']);
  });
});
