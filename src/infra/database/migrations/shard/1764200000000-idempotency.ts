import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

export class Idempotency1764200000000 implements MigrationInterface {
  name = 'Idempotency1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_records',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
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
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_records');
  }
}
