import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One login (catalog): the refresh-token family. The refresh token of each
 * generation is an HMAC (server key) of the session, the generation and `seed`,
 * so every generation can be checked without storing it, and a stolen database
 * alone cannot mint tokens. Each refresh moves `generation` on; presenting a
 * valid older generation means the token was replayed, so the whole session is
 * revoked. Access tokens name the session, so revoking it stops them at once.
 */
@Entity('auth_sessions')
export class AuthSession {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'int' })
  generation: number;

  @Column({ type: 'varchar', length: 64 })
  seed: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'refreshed_at', type: 'datetime', precision: 3, nullable: true })
  refreshedAt: Date | null;
}
