import { INVENTORY_SHARD_ENTITIES } from '../../modules/inventory/entities';
import { SALES_SHARD_ENTITIES } from '../../modules/sales/entities';
import { SECRETS_SHARD_ENTITIES } from '../../modules/secrets/entities';
import { TENANTS_CATALOG_ENTITIES, TENANTS_SHARD_ENTITIES } from '../../modules/tenants/entities';
import { IdempotencyRecord } from './entities/idempotency-record';
import { ShardRecord } from './entities/shard-record';

// The one place that knows every entity: a DataSource needs the full list when it
// is built. A module adds its entities here.
export const CATALOG_ENTITIES = [ShardRecord, IdempotencyRecord, ...TENANTS_CATALOG_ENTITIES];
export const SHARD_ENTITIES = [IdempotencyRecord, ...TENANTS_SHARD_ENTITIES, ...INVENTORY_SHARD_ENTITIES, ...SECRETS_SHARD_ENTITIES, ...SALES_SHARD_ENTITIES];
