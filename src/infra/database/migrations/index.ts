import { CatalogInitial1764100000000 } from './catalog/1764100000000-catalog-initial';
import { ShardInitial1764100000000 } from './shard/1764100000000-shard-initial';

/** In order. Listed rather than globbed so dist and source runs see exactly the same set. */
export const CATALOG_MIGRATIONS = [CatalogInitial1764100000000];
export const SHARD_MIGRATIONS = [ShardInitial1764100000000];
