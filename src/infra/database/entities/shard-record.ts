import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The shard map (catalog): every shard this deployment has known, and whether new tenants may land on it. */
@Entity('shards')
export class ShardRecord {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'accepts_tenants', type: 'boolean' })
  acceptsTenants: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
