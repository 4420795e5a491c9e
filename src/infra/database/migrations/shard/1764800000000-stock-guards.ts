import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

const TRIGGER = 'stock_movements_append_only';
const REFUSAL = 'stock_movements is append-only: a movement is never changed';

/**
 * The ledger's guards in the database itself:
 *  - a trigger that refuses any UPDATE of `stock_movements`, so the append-only
 *    ledger does not rest on the application alone (DELETE stays allowed: moving a
 *    tenant to another shard drops its old copy, rows and all);
 *  - `inventory_locks`, one row per tenant and purpose, which writes lock to run
 *    one at a time within a tenant (recipe changes: the cycle check must see every
 *    committed recipe item).
 */
export class StockGuards1764800000000 implements MigrationInterface {
  name = 'StockGuards1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'inventory_locks',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.string('name', 32), isPrimary: true },
        ],
      }),
      true,
    );
    await queryRunner.query(
      queryRunner.connection.options.type === 'mysql'
        ? `CREATE TRIGGER IF NOT EXISTS ${TRIGGER} BEFORE UPDATE ON stock_movements FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${REFUSAL}'`
        : `CREATE TRIGGER IF NOT EXISTS ${TRIGGER} BEFORE UPDATE ON stock_movements BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS ${TRIGGER}`);
    await queryRunner.dropTable('inventory_locks', true);
  }
}
