import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Who did what, when and from where (catalog). Append-only. The address is
 * personal data, so it is kept only as ciphertext; `details` never holds PII.
 */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: 'user' | 'device' | 'anonymous';

  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 36, nullable: true })
  targetId: string | null;

  @Column({ name: 'ip_ciphertext', type: 'text', nullable: true })
  ipCiphertext: string | null;

  /**
   * The address was not recorded: the event was written while Vault could not
   * encrypt it (ipCiphertext is then NULL; the address is never kept in the clear).
   */
  @Column({ name: 'ip_withheld', type: 'boolean', default: false })
  ipWithheld: boolean;

  @Column({ type: 'text', nullable: true })
  details: string | null;

  /** Equal to occurredAt: events never change; present for the changes feed. */
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
