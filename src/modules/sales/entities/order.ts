import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from '../../inventory/entities/decimal.transformer';
import { minorUnitsTransformer } from '../../inventory/entities/minor-units.transformer';

export const ORDER_STATUSES = ['new', 'confirmed', 'assembled', 'out-for-delivery', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * A pre-order with delivery, as a florist takes it (shard): when and where it
 * goes, to whom, and who drives it there. The recipient's name, phone, address
 * and card message are personal data: stored only as ciphertext, the phone also
 * as a tenant-scoped blind index so it can be searched.
 */
@Entity('orders')
export class Order {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Per-tenant sequence (1, 2, 3...): what a florist says on the phone. */
  @Column({ type: 'int' })
  number: number;

  @Column({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  @Column({ name: 'courier_id', type: 'varchar', length: 36, nullable: true })
  courierId: string | null;

  /** A calendar date, YYYY-MM-DD, in the store's time zone: text, so no driver shifts it. */
  @Column({ name: 'delivery_date', type: 'varchar', length: 10 })
  deliveryDate: string;

  /** "10:00-12:00". */
  @Column({ name: 'delivery_slot', type: 'varchar', length: 11 })
  deliverySlot: string;

  @Column({ name: 'recipient_name_ciphertext', type: 'text' })
  recipientNameCiphertext: string;

  @Column({ name: 'recipient_phone_ciphertext', type: 'text' })
  recipientPhoneCiphertext: string;

  @Column({ name: 'recipient_phone_index', type: 'varchar', length: 128 })
  recipientPhoneIndex: string;

  @Column({ name: 'address_ciphertext', type: 'text' })
  addressCiphertext: string;

  @Column({ name: 'card_message_ciphertext', type: 'text', nullable: true })
  cardMessageCiphertext: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  /** Sum of the lines, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  total: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}

/** One product of an order: how much, at what price. */
@Entity('order_lines')
export class OrderLine {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  /** In the product's unit, positive. */
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantity: string;

  /** Minor units per unit of the product. */
  @Column({ name: 'unit_price', type: 'int' })
  unitPrice: number;

  /** quantity x unitPrice, minor units. */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  total: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** The last order number a tenant handed out: its row is locked while the next is taken. */
@Entity('order_numbers')
export class OrderNumber {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ name: 'last_number', type: 'int' })
  lastNumber: number;
}
