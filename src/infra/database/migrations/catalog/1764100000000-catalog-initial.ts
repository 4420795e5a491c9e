import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

export class CatalogInitial1764100000000 implements MigrationInterface {
  name = 'CatalogInitial1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'shards',
        columns: [
          { ...c.string('id', 32), isPrimary: true },
          { name: 'accepts_tenants', type: 'boolean' },
          c.timestamp('created_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tenants',
        columns: [
          { ...c.uuid('id'), isPrimary: true },
          c.string('name', 120),
          { name: 'currency', type: 'varchar', length: '3' },
          c.string('time_zone', 64),
          c.string('shard_id', 32),
          c.string('status', 16),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [{ name: 'ix_tenants_shard', columnNames: ['shard_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.string('email_index', 128),
          { name: 'email_ciphertext', type: 'text' },
          { name: 'name_ciphertext', type: 'text' },
          c.string('password_hash', 255),
          c.string('role', 16),
          { name: 'active', type: 'boolean' },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        // A login has no tenant yet, so the login e-mail index is global (design: "Sensitive data").
        indices: [{ name: 'ux_users_email_index', columnNames: ['email_index'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'auth_sessions',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.uuid('user_id'),
          { name: 'generation', type: 'int' },
          c.string('seed', 64),
          c.timestamp('expires_at'),
          c.timestamp('revoked_at', true),
          c.timestamp('created_at'),
          c.timestamp('refreshed_at', true),
        ],
        indices: [{ name: 'ix_auth_sessions_user', columnNames: ['tenant_id', 'user_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['auth_sessions', 'users', 'tenants', 'shards']) {
      await queryRunner.dropTable(table);
    }
  }
}
