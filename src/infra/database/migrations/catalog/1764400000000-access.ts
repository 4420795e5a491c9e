import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from '../columns';

/** Employees' phones and stores, device tokens, feature flags, the audit log. */
export class Access1764400000000 implements MigrationInterface {
  name = 'Access1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'phone_ciphertext', type: 'text', isNullable: true }),
      new TableColumn(c.string('phone_index', 128, true)),
    ]);
    await queryRunner.createIndex('users', new TableIndex({ name: 'ix_users_phone_index', columnNames: ['tenant_id', 'phone_index'] }));
    await queryRunner.createTable(
      new Table({
        name: 'user_stores',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('user_id'), isPrimary: true },
          { ...c.uuid('store_id'), isPrimary: true },
          c.timestamp('created_at'),
        ],
        indices: [{ name: 'ix_user_stores_store', columnNames: ['tenant_id', 'store_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'device_tokens',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.string('name', 120),
          c.uuid('store_id'),
          c.string('secret_hash', 64),
          c.uuid('created_by'),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.timestamp('last_used_at', true),
          c.timestamp('revoked_at', true),
        ],
        indices: [{ name: 'ix_device_tokens_store', columnNames: ['tenant_id', 'store_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tenant_features',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.string('flag', 64), isPrimary: true },
          { name: 'enabled', type: 'boolean' },
          c.timestamp('updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.timestamp('occurred_at'),
          c.string('action', 64),
          c.string('actor_type', 16),
          c.uuid('actor_id', true),
          c.string('target_type', 32, true),
          c.uuid('target_id', true),
          { name: 'ip_ciphertext', type: 'text', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
          c.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_audit_events_time', columnNames: ['tenant_id', 'occurred_at'] },
          { name: 'ix_audit_events_action', columnNames: ['tenant_id', 'action', 'occurred_at'] },
          { name: 'ix_audit_events_changes', columnNames: ['tenant_id', 'updated_at', 'id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'tenant_features', 'device_tokens', 'user_stores']) await queryRunner.dropTable(table);
    await queryRunner.dropIndex('users', 'ix_users_phone_index');
    await queryRunner.dropColumns('users', ['phone_index', 'phone_ciphertext']);
  }
}
