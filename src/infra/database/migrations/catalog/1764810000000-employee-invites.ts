import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

/** Pending employee invites: the employee sets their own password with one, once. */
export class EmployeeInvites1764810000000 implements MigrationInterface {
  name = 'EmployeeInvites1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'employee_invites',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.uuid('user_id'),
          c.string('secret_hash', 64),
          c.timestamp('expires_at'),
          c.uuid('created_by'),
          c.timestamp('created_at'),
        ],
        indices: [{ name: 'ix_employee_invites_user', columnNames: ['tenant_id', 'user_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('employee_invites');
  }
}
