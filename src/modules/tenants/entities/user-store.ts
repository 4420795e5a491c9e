import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A store an employee works in (catalog, beside the user, so the guard reads scope in the same query). */
@Entity('user_stores')
export class UserStore {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @PrimaryColumn({ name: 'store_id', type: 'varchar', length: 36 })
  storeId: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
