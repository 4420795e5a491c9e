import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from '../columns';

export class ProductsAndSuppliers1764300000000 implements MigrationInterface {
  name = 'ProductsAndSuppliers1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.string('sku', 64, true),
          c.string('name', 200),
          c.string('kind', 16),
          c.string('unit', 8),
          { name: 'bunch_size', type: 'int', isNullable: true },
          { name: 'price', type: 'int' },
          { name: 'shelf_life_days', type: 'int', isNullable: true },
          { name: 'track_stock', type: 'boolean' },
          { name: 'archived', type: 'boolean' },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ux_products_sku', columnNames: ['tenant_id', 'sku'], isUnique: true },
          { name: 'ix_products_name', columnNames: ['tenant_id', 'name'] },
          { name: 'ix_products_kind', columnNames: ['tenant_id', 'kind'] },
          { name: 'ix_products_changes', columnNames: ['tenant_id', 'updated_at', 'id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recipe_items',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.uuid('composition_id'),
          c.uuid('component_id'),
          { name: 'quantity', type: 'decimal', precision: 12, scale: 3 },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ux_recipe_items_pair', columnNames: ['tenant_id', 'composition_id', 'component_id'], isUnique: true },
          { name: 'ix_recipe_items_component', columnNames: ['tenant_id', 'component_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'suppliers',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('id'), isPrimary: true },
          c.string('name', 200),
          { name: 'contact_phone_ciphertext', type: 'text', isNullable: true },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [{ name: 'ix_suppliers_name', columnNames: ['tenant_id', 'name'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'product_suppliers',
        columns: [
          { ...c.uuid('tenant_id'), isPrimary: true },
          { ...c.uuid('product_id'), isPrimary: true },
          { ...c.uuid('supplier_id'), isPrimary: true },
          c.timestamp('created_at'),
        ],
        indices: [{ name: 'ix_product_suppliers_supplier', columnNames: ['tenant_id', 'supplier_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['product_suppliers', 'suppliers', 'recipe_items', 'products']) await queryRunner.dropTable(table);
  }
}
