import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/** Metadata of tenants' integration credentials; the values live in Vault KV (embedded profile: value_ciphertext). */
export class IntegrationSecrets1764560000000 implements MigrationInterface {
  name = 'IntegrationSecrets1764560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'integration_secrets',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.string('name', 120),
          c.string('kind', 32),
          { name: 'version', type: 'int' },
          { name: 'value_ciphertext', type: 'text', isNullable: true },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [{ name: 'ux_integration_secrets_name', columnNames: ['tenant_id', 'name'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('integration_secrets');
  }
}
