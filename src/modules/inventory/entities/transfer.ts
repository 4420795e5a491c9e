import { Column, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsTransformer } from './minor-units.transformer';
import { StockDocumentLine } from './stock-document-line';

export const TRANSFER_STATUSES = ['in-transit', 'received'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * Stock moving from one store to another (shard). It leaves the sending store
 * when the transfer is made and arrives when the receiving store accepts it
 * (status `received`); until then it is in transit, in neither store.
 */
@Entity('transfers')
export class Transfer {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'from_store_id', type: 'varchar', length: 36 })
  fromStoreId: string;

  @Column({ name: 'to_store_id', type: 'varchar', length: 36 })
  toStoreId: string;

  @Column({ type: 'varchar', length: 16 })
  status: TransferStatus;

  /** Who sent it. */
  /** Who made it; null when a device (a POS terminal's token) did. */
  @Column({ name: 'employee_id', type: 'varchar', length: 36, nullable: true })
  employeeId: string | null;

  /** Who accepted it. */
  @Column({ name: 'received_by', type: 'varchar', length: 36, nullable: true })
  receivedBy: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3 })
  sentAt: Date;

  @Column({ name: 'received_at', type: 'datetime', precision: 3, nullable: true })
  receivedAt: Date | null;

  @Column({ name: 'total_cost', type: 'bigint', transformer: minorUnitsTransformer })
  totalCost: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}

@Entity('transfer_lines')
export class TransferLine extends StockDocumentLine {
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  cost: number;
}
