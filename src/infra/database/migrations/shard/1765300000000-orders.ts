import { MigrationInterface, QueryRunner, Table, type TableIndexOptions } from 'typeorm';
import { columnsFor } from '../columns';

/** Pre-orders with delivery, their lines, and each tenant's last order number. */
export class Orders1765300000000 implements MigrationInterface {
  name = 'Orders1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const key = [
      { ...c.uuid('tenant_id'), isPrimary: true },
      { ...c.uuid('id'), isPrimary: true },
    ];
    const index = (name: string, ...columnNames: string[]): TableIndexOptions => ({ name, columnNames: ['tenant_id', ...columnNames] });
    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          ...key,
          { name: 'number', type: 'int' },
          c.uuid('store_id'),
          c.uuid('courier_id', true),
          c.string('delivery_date', 10),
          c.string('delivery_slot', 11),
          { name: 'recipient_name_ciphertext', type: 'text' },
          { name: 'recipient_phone_ciphertext', type: 'text' },
          c.string('recipient_phone_index', 128),
          { name: 'address_ciphertext', type: 'text' },
          { name: 'card_message_ciphertext', type: 'text', isNullable: true },
          c.string('status', 16),
          { name: 'total', type: 'bigint' },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          { ...index('ux_orders_number', 'number'), isUnique: true },
          // A store's day, and a courier's deliveries: the two lists people read.
          index('ix_orders_store_day', 'store_id', 'delivery_date'),
          index('ix_orders_courier_day', 'courier_id', 'delivery_date'),
          index('ix_orders_phone', 'recipient_phone_index'),
          index('ix_orders_changes', 'updated_at', 'id'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'order_lines',
        columns: [
          ...key,
          c.uuid('order_id'),
          c.uuid('product_id'),
          { name: 'quantity', type: 'decimal', precision: 12, scale: 3 },
          { name: 'unit_price', type: 'int' },
          { name: 'total', type: 'bigint' },
          c.timestamp('created_at'),
        ],
        indices: [index('ix_order_lines_order', 'order_id', 'created_at'), index('ix_order_lines_product', 'product_id')],
      }),
    );
    await queryRunner.createTable(
      new Table({ name: 'order_numbers', columns: [{ ...c.uuid('tenant_id'), isPrimary: true }, { name: 'last_number', type: 'int' }] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('order_numbers', true);
    await queryRunner.dropTable('order_lines', true);
    await queryRunner.dropTable('orders', true);
  }
}
