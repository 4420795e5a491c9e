import type { TestApp, TestResponse } from './app-harness';

/**
 * Parses CSV as RFC 4180 defines it (quoted cells, doubled quotes, CRLF), strictly:
 * a stray quote or a bare LF inside an unquoted cell throws, so a test sees a
 * malformed export instead of reading it loosely. A leading BOM is dropped.
 */
export function parseCsv(text: string): string[][] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  let wasQuoted = false;
  while (i < source.length) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        cell += ch;
        i++;
      }
      continue;
    }
    if (ch === '"') {
      if (cell !== '' || wasQuoted) throw new Error(`CSV: a quote inside an unquoted cell at ${i}`);
      quoted = wasQuoted = true;
      i++;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      wasQuoted = false;
      i++;
    } else if (ch === '\r' && source[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      wasQuoted = false;
      i += 2;
    } else if (ch === '\r' || ch === '\n') {
      throw new Error(`CSV: a bare line break in an unquoted cell at ${i}`);
    } else {
      if (wasQuoted) throw new Error(`CSV: text after a closing quote at ${i}`);
      cell += ch;
      i++;
    }
  }
  if (quoted) throw new Error('CSV: an unterminated quoted cell');
  if (cell !== '' || row.length) throw new Error('CSV: the last record has no CRLF');
  return rows;
}

/** The rows of an export as objects keyed by the header, with the header itself. */
export function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>> } {
  const [header, ...rows] = parseCsv(text);
  for (const row of rows) if (row.length !== header.length) throw new Error(`CSV: a row of ${row.length} cells under a header of ${header.length}`);
  return { header, records: rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]]))) };
}

/** GET /api/v1/<path>/export as a spreadsheet would ask for it. */
export const exportCsv = (t: TestApp, token: string, path: string, query = ''): Promise<TestResponse> =>
  t.request('GET', `/api/v1/${path}/export${query ? `?${query}` : ''}`, { token, headers: { accept: 'text/csv' } });
