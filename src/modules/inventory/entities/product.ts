import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PRODUCT_KINDS = ['flower', 'greenery', 'accessory', 'service', 'composition'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];
export const PRODUCT_UNITS = ['stem', 'bunch', 'piece'] as const;
export type ProductUnit = (typeof PRODUCT_UNITS)[number];

/** Something a shop sells (shard): stems, greenery, accessories, services, compositions. */
@Entity('products')
export class Product {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  sku: string | null;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ProductKind;

  @Column({ type: 'varchar', length: 8 })
  unit: ProductUnit;

  @Column({ name: 'bunch_size', type: 'int', nullable: true })
  bunchSize: number | null;

  /** Selling price in minor units of the tenant's currency. */
  @Column({ type: 'int' })
  price: number;

  @Column({ name: 'shelf_life_days', type: 'int', nullable: true })
  shelfLifeDays: number | null;

  @Column({ name: 'track_stock', type: 'boolean' })
  trackStock: boolean;

  @Column({ type: 'boolean' })
  archived: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
