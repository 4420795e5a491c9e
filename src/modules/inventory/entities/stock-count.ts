import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from './decimal.transformer';
import { minorUnitsTransformer } from './minor-units.transformer';
import { StockDocumentLine } from './stock-document-line';

/** A count of what a store really has (shard); each line turns the difference into an adjustment. */
@Entity('stock_counts')
export class StockCount {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  /** Who made it; null when a device (a POS terminal's token) did. */
  @Column({ name: 'employee_id', type: 'varchar', length: 36, nullable: true })
  employeeId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ name: 'counted_at', type: 'datetime', precision: 3 })
  countedAt: Date;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}

/** `quantity` is what was counted. */
@Entity('stock_count_lines')
export class StockCountLine extends StockDocumentLine {
  /** The level when the line was counted. */
  @Column({ name: 'expected_quantity', type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  expectedQuantity: string;

  /** counted - expected: the adjustment made. */
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  difference: string;

  /** Cost of the adjustment, minor units (never negative). */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  cost: number;
}
