import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from './decimal.transformer';
import { minorUnitsTransformer } from './minor-units.transformer';

export const MOVEMENT_KINDS = ['receipt', 'sale', 'return', 'write-off', 'transfer-out', 'transfer-in', 'adjustment'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** The resource type of the document behind a movement. */
export const STOCK_DOCUMENT_TYPES = ['goods-receipts', 'write-offs', 'transfers', 'stock-counts', 'sales', 'returns'] as const;
export type StockDocumentType = (typeof STOCK_DOCUMENT_TYPES)[number];

/**
 * One line of the stock ledger (shard): append-only, never updated or deleted.
 * The quantity is signed (a sale is negative). A movement names the batch it
 * changed; without one it is stock sold before it was received (offline).
 */
@Entity('stock_movements')
export class StockMovement {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @Column({ name: 'batch_id', type: 'varchar', length: 36, nullable: true })
  batchId: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: MovementKind;

  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantity: string;

  /** What the moved stock cost, in minor units (never negative); null when unknown. */
  @Column({ type: 'bigint', nullable: true, transformer: minorUnitsTransformer })
  cost: number | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason: string | null;

  @Column({ name: 'document_type', type: 'varchar', length: 24, nullable: true })
  documentType: StockDocumentType | null;

  @Column({ name: 'document_id', type: 'varchar', length: 36, nullable: true })
  documentId: string | null;

  /** Who made it (a user id); null for system work. */
  @Column({ name: 'employee_id', type: 'varchar', length: 36, nullable: true })
  employeeId: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
