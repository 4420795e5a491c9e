import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A deleted integration credential whose value Vault KV may still hold (shard).
 * Written in the transaction that deletes the secret's row, removed once KV has
 * forgotten every version: the KV delete runs after the commit (Vault cannot join
 * the transaction), and a KV delete that failed is retried from here.
 */
@Entity('integration_secret_removals')
export class IntegrationSecretRemoval {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** The deleted secret's id: its KV path. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'requested_at', type: 'datetime', precision: 3 })
  requestedAt: Date;
}
