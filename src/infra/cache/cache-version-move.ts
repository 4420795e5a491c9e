import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A cache version move recorded in the shard (or the catalog), in the transaction
 * of the write that makes it (the outbox of `VersionOutbox`, which reads and writes
 * it with plain SQL): it lives from that commit until the version has moved in
 * Redis. Mapped so that a tenant move copies a shard's rows with the rest.
 */
@Entity('cache_version_moves')
export class CacheVersionMove {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'version_key', type: 'varchar', length: 160 })
  versionKey: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
