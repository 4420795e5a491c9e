import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A read-cache version move recorded in the shard, in the transaction of the
 * write that makes it (the outbox of `CacheVersions`): it lives from that commit
 * until the version has moved in Redis, so a reader that finds it knows the
 * version in Redis may be behind the database.
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
