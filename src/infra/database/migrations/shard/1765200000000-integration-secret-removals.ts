import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/**
 * Deleted integration credentials whose Vault KV value is still to be removed:
 * the row goes with the secret's delete, the KV delete follows the commit, and a
 * sweeper retries what Vault refused.
 */
export class IntegrationSecretRemovals1765200000000 implements MigrationInterface {
  name = 'IntegrationSecretRemovals1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'integration_secret_removals',
        // Only removals Vault has not made yet: a few rows, swept by a scan.
        columns: [{ ...c.uuid('tenant_id'), isPrimary: true }, { ...c.uuid('id'), isPrimary: true }, c.timestamp('requested_at')],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('integration_secret_removals', true);
  }
}
