import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A feature flag switched for one tenant (catalog): a new function tried on one shop first. */
@Entity('tenant_features')
export class TenantFeature {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  flag: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
