import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from '../../inventory/entities/decimal.transformer';
import { minorUnitsTransformer } from '../../inventory/entities/minor-units.transformer';

export const PAYMENT_METHODS = ['cash', 'card', 'transfer', 'bonus', 'gift-card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * A sale at the till (shard): a record of money, never changed once its
 * request has committed. `soldAt` is the device's time, `receivedAt` the
 * server's (they differ for a sale synced after the till was offline).
 */
@Entity('sales')
export class Sale {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Per-tenant sequence (1, 2, 3...): the receipt number. */
  @Column({ type: 'int' })
  number: number;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  /** Who sold it: a user id, never a device's. */
  @Column({ name: 'employee_id', type: 'varchar', length: 36 })
  employeeId: string;

  @Column({ name: 'sold_at', type: 'datetime', precision: 3 })
  soldAt: Date;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt: Date;

  /** Sold while the till was offline: recorded even beyond stock. */
  @Column({ type: 'boolean' })
  offline: boolean;

  /** Sum of the lines' totals, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  subtotal: number;

  /** Off the whole sale, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  discount: number;

  /** subtotal - discount: what the payments add up to. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  total: number;

  /** The feed's clock: when the server last wrote the sale (its request). */
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}

/** One product of a sale: how much, at what price, and what it cost the shop. */
@Entity('sale_lines')
export class SaleLine {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'sale_id', type: 'varchar', length: 36 })
  saleId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  /** In the product's unit, positive. */
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantity: string;

  /** Minor units per unit of the product. */
  @Column({ name: 'unit_price', type: 'int' })
  unitPrice: number;

  /** Off this line, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  discount: number;

  /** quantity x unitPrice - discount, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  total: number;

  /** Cost of goods from the batches the ledger took, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  cost: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** Money taken for a sale, one method each. */
@Entity('payments')
export class Payment {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'sale_id', type: 'varchar', length: 36 })
  saleId: string;

  @Column({ type: 'varchar', length: 16 })
  method: PaymentMethod;

  /** Minor units, positive. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amount: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** The last sale number a tenant handed out: its row is locked while the next is taken. */
@Entity('sale_numbers')
export class SaleNumber {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'last_number', type: 'int' })
  lastNumber: number;
}
