import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A pending invite (catalog): the employee sets their own password with it, once,
 * before `expiresAt`. Only the SHA-256 of its secret is kept. A new invite for
 * the same employee (a password reset) replaces the old one.
 */
@Entity('employee_invites')
export class EmployeeInvite {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
