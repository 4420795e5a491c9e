import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who the flowers come from (shard). The contact phone is stored only as ciphertext. */
@Entity('suppliers')
export class Supplier {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'contact_phone_ciphertext', type: 'text', nullable: true })
  contactPhoneCiphertext: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
