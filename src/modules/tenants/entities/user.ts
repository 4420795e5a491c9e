import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../../../infra/tenancy/request-context';

/** The password hash of someone who has not set a password yet (invited, or reset): matches no password. */
export const NO_PASSWORD = '!';

/**
 * A person who logs in (catalog). The e-mail and name are stored only as
 * ciphertext; `emailIndex` is the blind index of the normalised e-mail that
 * login looks up without decrypting anything.
 */
@Entity('users')
export class User {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'email_index', type: 'varchar', length: 128 })
  emailIndex: string;

  /** Blind index of the normalised e-mail scoped to the tenant: `filter[email]` finds it without decrypting. */
  @Column({ name: 'email_tenant_index', type: 'varchar', length: 128, nullable: true })
  emailTenantIndex: string | null;

  @Column({ name: 'email_ciphertext', type: 'text' })
  emailCiphertext: string;

  @Column({ name: 'name_ciphertext', type: 'text' })
  nameCiphertext: string;

  @Column({ name: 'phone_ciphertext', type: 'text', nullable: true })
  phoneCiphertext: string | null;

  /** Blind index of the E.164 phone, scoped to the tenant: `filter[phone]` finds it without decrypting. */
  @Column({ name: 'phone_index', type: 'varchar', length: 128, nullable: true })
  phoneIndex: string | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
