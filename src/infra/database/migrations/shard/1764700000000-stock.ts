import { MigrationInterface, QueryRunner, Table, type TableColumnOptions, type TableIndexOptions } from 'typeorm';
import { columnsFor } from '../columns';

/** Stock: levels, batches, the movement ledger, and the documents that move stock, with their lines. */
export class Stock1764700000000 implements MigrationInterface {
  name = 'Stock1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const quantity = (name: string): TableColumnOptions => ({ name, type: 'decimal', precision: 12, scale: 3 });
    const money = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable });
    const key = [
      { ...c.uuid('tenant_id'), isPrimary: true },
      { ...c.uuid('id'), isPrimary: true },
    ];
    const table = (name: string, columns: TableColumnOptions[], indices: TableIndexOptions[]) =>
      queryRunner.createTable(new Table({ name, columns: [...key, ...columns], indices }));
    const index = (name: string, ...columnNames: string[]): TableIndexOptions => ({ name, columnNames: ['tenant_id', ...columnNames] });

    await table(
      'stock_levels',
      [c.uuid('store_id'), c.uuid('product_id'), quantity('quantity'), c.timestamp('created_at'), c.timestamp('updated_at')],
      [
        { ...index('ux_stock_levels_store_product', 'store_id', 'product_id'), isUnique: true },
        index('ix_stock_levels_product', 'product_id'),
        index('ix_stock_levels_changes', 'updated_at', 'id'),
      ],
    );
    await table(
      'stock_batches',
      [
        c.uuid('store_id'),
        c.uuid('product_id'),
        c.uuid('supplier_id', true),
        c.string('source', 16),
        quantity('quantity_received'),
        quantity('quantity_left'),
        { name: 'unit_cost', type: 'int' },
        c.timestamp('received_at'),
        c.timestamp('expires_at', true),
        c.timestamp('created_at'),
        c.timestamp('updated_at'),
      ],
      [
        index('ix_stock_batches_open', 'store_id', 'product_id', 'quantity_left'),
        index('ix_stock_batches_expiry', 'store_id', 'expires_at'),
        index('ix_stock_batches_product', 'product_id'),
      ],
    );
    await table(
      'stock_movements',
      [
        c.uuid('store_id'),
        c.uuid('product_id'),
        c.uuid('batch_id', true),
        c.string('kind', 16),
        quantity('quantity'),
        money('cost', true),
        c.timestamp('occurred_at'),
        c.string('reason', 200, true),
        c.string('document_type', 24, true),
        c.uuid('document_id', true),
        c.uuid('employee_id', true),
        c.timestamp('created_at'),
      ],
      [
        index('ix_stock_movements_ledger', 'store_id', 'product_id', 'occurred_at'),
        index('ix_stock_movements_store', 'store_id', 'occurred_at'),
        index('ix_stock_movements_time', 'occurred_at'),
        index('ix_stock_movements_document', 'document_id'),
        index('ix_stock_movements_batch', 'batch_id'),
      ],
    );

    const header = [c.uuid('employee_id', true), c.string('note', 500, true)];
    const stamps = [c.timestamp('created_at'), c.timestamp('updated_at')];
    const lineColumns = [c.uuid('document_id'), c.uuid('product_id'), quantity('quantity'), c.timestamp('created_at')];
    const lineIndices = (name: string) => [index(`ix_${name}_document`, 'document_id', 'created_at'), index(`ix_${name}_product`, 'product_id')];

    await table(
      'goods_receipts',
      [c.uuid('store_id'), c.uuid('supplier_id', true), ...header, c.string('invoice_number', 64, true), c.timestamp('received_at'), money('total_cost'), ...stamps],
      [index('ix_goods_receipts_store', 'store_id', 'received_at'), index('ix_goods_receipts_supplier', 'supplier_id', 'received_at'), index('ix_goods_receipts_time', 'received_at')],
    );
    await table('goods_receipt_lines', [...lineColumns, { name: 'unit_cost', type: 'int' }, money('cost'), c.uuid('batch_id')], lineIndices('goods_receipt_lines'));

    await table(
      'write_offs',
      [c.uuid('store_id'), ...header, c.string('reason', 16), c.timestamp('occurred_at'), money('total_cost'), ...stamps],
      [index('ix_write_offs_store', 'store_id', 'occurred_at'), index('ix_write_offs_time', 'occurred_at')],
    );
    await table('write_off_lines', [...lineColumns, money('cost')], lineIndices('write_off_lines'));

    await table(
      'transfers',
      [
        c.uuid('from_store_id'),
        c.uuid('to_store_id'),
        c.string('status', 16),
        ...header,
        c.uuid('received_by', true),
        c.timestamp('sent_at'),
        c.timestamp('received_at', true),
        money('total_cost'),
        ...stamps,
      ],
      [index('ix_transfers_from', 'from_store_id', 'sent_at'), index('ix_transfers_to', 'to_store_id', 'status'), index('ix_transfers_time', 'sent_at')],
    );
    await table('transfer_lines', [...lineColumns, money('cost')], lineIndices('transfer_lines'));

    await table(
      'stock_counts',
      [c.uuid('store_id'), ...header, c.timestamp('counted_at'), ...stamps],
      [index('ix_stock_counts_store', 'store_id', 'counted_at'), index('ix_stock_counts_time', 'counted_at')],
    );
    await table('stock_count_lines', [...lineColumns, quantity('expected_quantity'), quantity('difference'), money('cost')], lineIndices('stock_count_lines'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const tables = ['stock_count_lines', 'stock_counts', 'transfer_lines', 'transfers', 'write_off_lines', 'write_offs', 'goods_receipt_lines', 'goods_receipts', 'stock_movements', 'stock_batches', 'stock_levels'];
    for (const name of tables) await queryRunner.dropTable(name);
  }
}
