import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { dataSourceOptions } from './src/infra/database/data-source-options';

/**
 * For the TypeORM CLI (`npm run typeorm -- migration:show`, `migration:create`, ...).
 * The CLI works on one database at a time: the catalog by default, or a shard
 * with ORM_TARGET=shard:<id>. `npm run migration:run` migrates them all at once.
 */
const config = loadConfig(process.env);
const target = process.env.ORM_TARGET ?? 'catalog';
const shard = target.startsWith('shard:') ? config.shards.find((s) => s.id === target.slice('shard:'.length)) : undefined;
if (target !== 'catalog' && !shard) {
  throw new Error(`ORM_TARGET must be catalog or shard:<id> with one of: ${config.shards.map((s) => s.id).join(', ')}`);
}

export default new DataSource(shard ? dataSourceOptions(shard.target, 'shard') : dataSourceOptions(config.catalog, 'catalog'));
