import type { DataSourceOptions } from 'typeorm';
import type { DatabaseTarget } from '../../config/app-config';
import { CATALOG_ENTITIES, SHARD_ENTITIES } from './entity-registry';
import { CATALOG_MIGRATIONS, SHARD_MIGRATIONS } from './migrations';

export type DatabaseRole = 'catalog' | 'shard';

/** How long a request waits for a MySQL connection before its shard counts as down. */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * TypeORM options for the catalog or a shard, on MySQL or the embedded SQLite.
 * `synchronize` is always off: the schema comes from the committed migrations.
 */
export function dataSourceOptions(target: DatabaseTarget, role: DatabaseRole, poolSize = 10): DataSourceOptions {
  const common = {
    entities: role === 'catalog' ? CATALOG_ENTITIES : SHARD_ENTITIES,
    migrations: role === 'catalog' ? CATALOG_MIGRATIONS : SHARD_MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false as const,
  };
  if (target.kind === 'sqljs') {
    return { ...common, type: 'sqljs', location: target.file, autoSave: true };
  }
  return {
    ...common,
    type: 'mysql',
    url: target.url,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    extra: { connectionLimit: poolSize, enableKeepAlive: true, maxIdle: poolSize, idleTimeout: 60_000 },
  };
}
