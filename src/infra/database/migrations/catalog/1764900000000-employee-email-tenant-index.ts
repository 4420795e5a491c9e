import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from '../columns';

/**
 * The employees' e-mail gets a tenant-scoped blind index (HMAC of tenant id +
 * normalised e-mail) for `filter[email]`, beside the global one the login looks
 * up. A migration cannot compute HMACs (the key is in Vault): existing rows keep
 * NULL until the key-rotation job's pass fills them (`BlindIndexBackfill`).
 */
export class EmployeeEmailTenantIndex1764900000000 implements MigrationInterface {
  name = 'EmployeeEmailTenantIndex1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumn('users', new TableColumn(c.string('email_tenant_index', 128, true)));
    await queryRunner.createIndex('users', new TableIndex({ name: 'ix_users_email_tenant_index', columnNames: ['tenant_id', 'email_tenant_index'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'ix_users_email_tenant_index');
    await queryRunner.dropColumn('users', 'email_tenant_index');
  }
}
