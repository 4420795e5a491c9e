import { Column, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsTransformer } from './minor-units.transformer';
import { StockDocumentLine } from './stock-document-line';

/** A delivery from a supplier into a store (shard); each line becomes a batch. */
@Entity('goods_receipts')
export class GoodsReceipt {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  @Column({ name: 'supplier_id', type: 'varchar', length: 36, nullable: true })
  supplierId: string | null;

  /** Who made it; null when a device (a POS terminal's token) did. */
  @Column({ name: 'employee_id', type: 'varchar', length: 36, nullable: true })
  employeeId: string | null;

  @Column({ name: 'invoice_number', type: 'varchar', length: 64, nullable: true })
  invoiceNumber: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt: Date;

  /** Sum of the lines' costs, minor units. */
  @Column({ name: 'total_cost', type: 'bigint', transformer: minorUnitsTransformer })
  totalCost: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}

@Entity('goods_receipt_lines')
export class GoodsReceiptLine extends StockDocumentLine {
  /** Minor units per unit of the product. */
  @Column({ name: 'unit_cost', type: 'int' })
  unitCost: number;

  /** quantity x unitCost, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  cost: number;

  /** The batch this line became. */
  @Column({ name: 'batch_id', type: 'varchar', length: 36 })
  batchId: string;
}
