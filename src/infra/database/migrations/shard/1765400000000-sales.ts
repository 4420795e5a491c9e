import { MigrationInterface, QueryRunner, Table, type TableIndexOptions } from 'typeorm';
import { columnsFor } from '../columns';

/** Sales at the till, their lines and payments, and each tenant's last sale number. */
export class Sales1765400000000 implements MigrationInterface {
  name = 'Sales1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const key = [
      { ...c.uuid('tenant_id'), isPrimary: true },
      { ...c.uuid('id'), isPrimary: true },
    ];
    const index = (name: string, ...columnNames: string[]): TableIndexOptions => ({ name, columnNames: ['tenant_id', ...columnNames] });
    await queryRunner.createTable(
      new Table({
        name: 'sales',
        columns: [
          ...key,
          { name: 'number', type: 'int' },
          c.uuid('store_id'),
          c.uuid('employee_id'),
          c.timestamp('sold_at'),
          c.timestamp('received_at'),
          { name: 'offline', type: 'boolean' },
          { name: 'subtotal', type: 'bigint' },
          { name: 'discount', type: 'bigint' },
          { name: 'total', type: 'bigint' },
          c.timestamp('updated_at'),
        ],
        indices: [
          { ...index('ux_sales_number', 'number'), isUnique: true },
          // A store's day, an employee's sales, and the shop's day: the lists reports read.
          index('ix_sales_store_sold', 'store_id', 'sold_at'),
          index('ix_sales_employee_sold', 'employee_id', 'sold_at'),
          index('ix_sales_sold', 'sold_at'),
          index('ix_sales_changes', 'updated_at', 'id'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sale_lines',
        columns: [
          ...key,
          c.uuid('sale_id'),
          c.uuid('product_id'),
          { name: 'quantity', type: 'decimal', precision: 12, scale: 3 },
          { name: 'unit_price', type: 'int' },
          { name: 'discount', type: 'bigint' },
          { name: 'total', type: 'bigint' },
          { name: 'cost', type: 'bigint' },
          c.timestamp('created_at'),
        ],
        indices: [index('ix_sale_lines_sale', 'sale_id', 'created_at'), index('ix_sale_lines_product', 'product_id')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'payments',
        columns: [...key, c.uuid('sale_id'), c.string('method', 16), { name: 'amount', type: 'bigint' }, c.timestamp('created_at')],
        indices: [index('ix_payments_sale', 'sale_id', 'created_at')],
      }),
    );
    await queryRunner.createTable(
      new Table({ name: 'sale_numbers', columns: [{ ...c.uuid('tenant_id'), isPrimary: true }, { name: 'last_number', type: 'int' }] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sale_numbers', true);
    await queryRunner.dropTable('payments', true);
    await queryRunner.dropTable('sale_lines', true);
    await queryRunner.dropTable('sales', true);
  }
}
