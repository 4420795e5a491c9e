import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The stored outcome of a write sent with an `Idempotency-Key`, in the database
 * the write goes to (the tenant's shard, or the catalog for catalog-stored
 * resources and signup) and in the same transaction as the write it protects,
 * so either both exist or neither. A key belongs to the user (or device) who
 * sent it. The body is kept encrypted: a response may carry PII.
 */
@Entity('idempotency_records')
export class IdempotencyRecord {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  /** Who sent it: the user or device; for public writes (signup) the tenant is the nil UUID and the user a keyed hash of the e-mail signed up (see `WriteGate.runPublic`). */
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 255 })
  key: string;

  /** Keyed HMAC-SHA-256 of method, URL and body: the same key with another request is refused. */
  @Column({ type: 'varchar', length: 64 })
  fingerprint: string;

  @Column({ type: 'int' })
  status: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  location: string | null;

  @Column({ name: 'body_ciphertext', type: 'text', nullable: true })
  bodyCiphertext: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
