import type { QueryRunner, TableColumnOptions } from 'typeorm';

// Column shapes shared by migrations. Migrations are written with TypeORM's schema
// builder rather than raw SQL so one set serves MySQL and the embedded SQLite.
// Frozen: a change here would rewrite history; add a new helper instead.

export function columnsFor(queryRunner: QueryRunner) {
  const mysql = queryRunner.connection.options.type === 'mysql';
  return {
    /** UUIDs in ASCII with binary collation on MySQL: 36 bytes in every index, byte-wise compares. */
    uuid: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      ...(mysql && { charset: 'ascii', collation: 'ascii_bin' }),
      isNullable: nullable,
    }),
    timestamp: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable: nullable,
    }),
    string: (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    }),
  };
}
