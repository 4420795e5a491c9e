import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/**
 * The shape of `idempotency_records` from this migration on, in the catalog and on
 * every shard: a key belongs to its tenant and its user (or device); the purge
 * finds a tenant's expired records by (tenant_id, expires_at), tenant first as in
 * every index. Frozen with the two migrations that use it.
 */
export function idempotencyTable(queryRunner: QueryRunner): Table {
  const c = columnsFor(queryRunner);
  const mysql = queryRunner.connection.options.type === 'mysql';
  return new Table({
    name: 'idempotency_records',
    columns: [
      // The nil UUID for public writes (signup), which have no tenant and no user yet.
      { ...c.uuid('tenant_id'), isPrimary: true },
      { ...c.uuid('user_id'), isPrimary: true },
      { ...c.string('idempotency_key', 255), isPrimary: true, ...(mysql && { charset: 'ascii', collation: 'ascii_bin' }) },
      c.string('fingerprint', 64),
      { name: 'status', type: 'int' },
      c.string('location', 500, true),
      // A whole atomic batch's results can be large.
      { name: 'body_ciphertext', type: mysql ? 'mediumtext' : 'text', isNullable: true },
      c.timestamp('created_at'),
      c.timestamp('expires_at'),
    ],
    indices: [{ name: 'ix_idempotency_expiry', columnNames: ['tenant_id', 'expires_at'] }],
  });
}

/** Idempotency-Key records for writes whose rows live in the catalog (people, devices, the tenant, signup). */
export class CatalogIdempotency1764820000000 implements MigrationInterface {
  name = 'CatalogIdempotency1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(idempotencyTable(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_records');
  }
}
