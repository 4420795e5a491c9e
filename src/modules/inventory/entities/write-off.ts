import { Column, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsTransformer } from './minor-units.transformer';
import { StockDocumentLine } from './stock-document-line';

export const WRITE_OFF_REASONS = ['wilted', 'damaged', 'lost', 'display', 'other'] as const;
export type WriteOffReason = (typeof WRITE_OFF_REASONS)[number];

/** Stock thrown away or used up, with the reason and who did it (shard). */
@Entity('write_offs')
export class WriteOff {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  /** Who made it; null when a device (a POS terminal's token) did. */
  @Column({ name: 'employee_id', type: 'varchar', length: 36, nullable: true })
  employeeId: string | null;

  @Column({ type: 'varchar', length: 16 })
  reason: WriteOffReason;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt: Date;

  /** Cost of what was written off (from the batches it came from), minor units. */
  @Column({ name: 'total_cost', type: 'bigint', transformer: minorUnitsTransformer })
  totalCost: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}

@Entity('write_off_lines')
export class WriteOffLine extends StockDocumentLine {
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  cost: number;
}
