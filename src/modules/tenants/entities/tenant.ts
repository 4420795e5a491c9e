import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `moving`: the tenant's data is being copied to another shard; reads go on, writes wait. */
export const TENANT_STATUSES = ['active', 'moving', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** A shop business (catalog). `shardId` says which shard holds its data. */
@Entity('tenants')
export class Tenant {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone: string;

  @Column({ name: 'shard_id', type: 'varchar', length: 32 })
  shardId: string;

  @Column({ type: 'varchar', length: 16 })
  status: TenantStatus;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
