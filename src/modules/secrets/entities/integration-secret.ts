import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What the shop's credentials are for. */
export const INTEGRATION_KINDS = ['payment-terminal', 'sms-gateway', 'online-shop', 'other'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/**
 * A tenant's integration credential (shard): only its metadata. The value lives
 * in Vault KV on the services profile (`valueCiphertext` stays null); on the
 * embedded profile, which has no Vault, it is kept here, encrypted by the local
 * keyring (and rewrapped on rotation like every `_ciphertext` column).
 */
@Entity('integration_secrets')
export class IntegrationSecret {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  kind: IntegrationKind;

  /** The value's version: Vault KV's on the services profile, counted here on the embedded one. */
  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'value_ciphertext', type: 'text', nullable: true })
  valueCiphertext: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
