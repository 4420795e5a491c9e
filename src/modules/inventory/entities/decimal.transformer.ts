import type { ValueTransformer } from 'typeorm';

/** Canonical decimal text: no exponent, no trailing zeros ("2.500" -> "2.5", "3.000" -> "3"). */
export function canonicalDecimal(value: string | number): string {
  const text = typeof value === 'number' ? value.toFixed(6) : value;
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * Quantities are decimals carried as strings, never floats: MySQL DECIMAL comes
 * back as text already; the embedded SQLite hands back a number, which is
 * rounded to the column's scale before it becomes text.
 */
export const decimalTransformer: ValueTransformer = {
  to: (value: string | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : canonicalDecimal(value)),
};
