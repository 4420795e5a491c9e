import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/** One row per tenant that has written on the shard: every write transaction holds it shared; a tenant move closes it. */
export class TenantFences1764810000000 implements MigrationInterface {
  name = 'TenantFences1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'tenant_fences',
        columns: [{ ...c.uuid('tenant_id'), isPrimary: true }, c.string('state', 16), c.timestamp('updated_at')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tenant_fences');
  }
}
