import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

export class ShardInitial1764100000000 implements MigrationInterface {
  name = 'ShardInitial1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'stores',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.string('name', 120),
          c.string('address', 500, true),
          c.string('time_zone', 64),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_stores_name', columnNames: ['tenant_id', 'name'] },
          { name: 'ix_stores_changes', columnNames: ['tenant_id', 'updated_at', 'id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('stores');
  }
}
