import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which suppliers a product is bought from (shard). */
@Entity('product_suppliers')
export class ProductSupplier {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @PrimaryColumn({ name: 'supplier_id', type: 'varchar', length: 36 })
  supplierId: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
