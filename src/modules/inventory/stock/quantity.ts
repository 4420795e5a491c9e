/**
 * Stock quantities as exact integers: thousandths of a unit ("milli"). The API and
 * the database carry decimals ("2.5", DECIMAL(12,3)); arithmetic never touches a
 * float. Stems and pieces are whole (multiples of 1000); bunches may be split
 * down to a thousandth.
 */
export type Milli = number;

const SCALE = 1000;
const DB_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * "2.5" -> 2500. Accepts what the database hands back (MySQL "2.500"; SQLite's
 * canonicalised float, at most 6 decimals), rounding beyond the third decimal.
 */
export function toMilli(text: string): Milli {
  const match = DB_DECIMAL.exec(text);
  if (!match) throw new Error(`not a decimal quantity: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const digits = (fraction + '000000').slice(0, 6);
  const thousandths = Number(digits.slice(0, 3)) + (Number(digits.slice(3)) >= 500 ? 1 : 0);
  const value = Number(whole) * SCALE + thousandths;
  return sign && value !== 0 ? -value : value;
}

/** 2500 -> "2.5", -3000 -> "-3". */
export function fromMilli(value: Milli): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not a quantity: ${value}`);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.floor(abs / SCALE);
  const fraction = abs % SCALE;
  return fraction === 0 ? `${sign}${whole}` : `${sign}${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

export const isWhole = (value: Milli): boolean => value % SCALE === 0;

/** `a` times `b` (both in thousandths), rounded half away from zero to a thousandth. */
export function multiply(a: Milli, b: Milli): Milli {
  const product = BigInt(a) * BigInt(b);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = Number((abs + BigInt(SCALE / 2)) / BigInt(SCALE));
  return negative ? -rounded : rounded;
}

/** What `quantity` units cost at `unitCost` minor units each, in whole minor units (half up). */
export function costOf(quantity: Milli, unitCost: number): number {
  const abs = BigInt(Math.abs(quantity)) * BigInt(unitCost);
  return Number((abs + BigInt(SCALE / 2)) / BigInt(SCALE));
}
