import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from './decimal.transformer';

/**
 * How much of a product a store has (shard): one row per store and product,
 * created by the first movement. Changed only together with the movement that
 * explains the change, in one transaction, while the row is locked.
 */
@Entity('stock_levels')
export class StockLevel {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  /** In the product's unit; negative when offline sales took more than the books held. */
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantity: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
