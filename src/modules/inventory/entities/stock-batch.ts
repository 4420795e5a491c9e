import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from './decimal.transformer';

/** Where a batch came from: a supplier's delivery, another store, a customer's return, a count that found more. */
export const BATCH_SOURCES = ['receipt', 'transfer-in', 'return', 'adjustment'] as const;
export type BatchSource = (typeof BATCH_SOURCES)[number];

/**
 * A lot of one product in one store (shard), received together, costing the same
 * and wilting on the same day. Consumption takes from the batch that expires
 * first (FEFO). `quantityLeft` changes only with a movement naming the batch.
 */
@Entity('stock_batches')
export class StockBatch {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @Column({ name: 'supplier_id', type: 'varchar', length: 36, nullable: true })
  supplierId: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: BatchSource;

  @Column({ name: 'quantity_received', type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantityReceived: string;

  @Column({ name: 'quantity_left', type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantityLeft: string;

  /** Minor units per unit of the product. */
  @Column({ name: 'unit_cost', type: 'int' })
  unitCost: number;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt: Date;

  /** receivedAt plus the product's shelf life; null when it has none. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
