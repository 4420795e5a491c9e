/**
 * CSV as RFC 4180 writes it, for exports: CRLF line ends, a cell quoted when it
 * holds a comma, a quote, CR or LF, quotes inside doubled.
 */

export const CSV_MEDIA_TYPE = 'text/csv';

/** The path segment of an export route, after the collection's: `/api/v1/<type>/export`. */
export const EXPORT_SEGMENT = 'export';

/** The Fastify route config flag of export routes: content negotiation lets them answer CSV. */
export const EXPORT_ROUTE = 'bloomdeskCsvExport';

/**
 * UTF-8's byte order mark, first in every export. Excel reads a CSV without it
 * in the machine's legacy code page (Cyrillic and accented names come out as
 * mojibake), and with it as UTF-8; LibreOffice, pandas (`utf-8-sig`) and
 * Python's csv module skip it. The people who export are accountants with Excel.
 */
export const UTF8_BOM = '\uFEFF';

/** Cells that a spreadsheet would read as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number is left as it is: `-3.5` is a quantity Excel must still sum, not a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A cell that cannot run as a formula: one starting with `=`, `+`, `-`, `@`,
 * tab or CR gets a leading `'`, which spreadsheets take as "text follows"
 * (OWASP's advice), unless it is a plain number. So `=HYPERLINK(...)` in a
 * product name stays text, and so does a phone `+7 912...`.
 */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** One cell: null is empty; the rest neutralised, then quoted where RFC 4180 needs it. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = neutralise(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF-terminated. */
export function csvLine(cells: ReadonlyArray<string | null>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
