import type { ValueTransformer } from 'typeorm';

/**
 * Money in minor units in a BIGINT column: mysql2 hands BIGINT back as a string
 * (`bigNumberStrings`), SQLite as a number. Amounts stay far below 2^53.
 */
export const minorUnitsTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
