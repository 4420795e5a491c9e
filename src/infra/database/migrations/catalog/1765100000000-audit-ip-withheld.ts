import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * An audit event written while Vault could not encrypt its client address keeps
 * the event and drops the address (never stored in the clear): `ip_withheld`
 * tells such a row from one that had no address at all. Existing rows: false.
 */
export class AuditIpWithheld1765100000000 implements MigrationInterface {
  name = 'AuditIpWithheld1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('audit_events', new TableColumn({ name: 'ip_withheld', type: 'boolean', isNullable: false, default: false }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('audit_events', 'ip_withheld');
  }
}
