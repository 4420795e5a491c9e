import { CatalogInitial1764100000000 } from './catalog/1764100000000-catalog-initial';
import { Access1764400000000 } from './catalog/1764400000000-access';
import { EmployeeInvites1764810000000 } from './catalog/1764810000000-employee-invites';
import { CatalogIdempotency1764820000000 } from './catalog/1764820000000-catalog-idempotency';
import { EmployeeEmailTenantIndex1764900000000 } from './catalog/1764900000000-employee-email-tenant-index';
import { CatalogCacheVersionMoves1765000000000 } from './catalog/1765000000000-catalog-cache-version-moves';
import { AuditIpWithheld1765100000000 } from './catalog/1765100000000-audit-ip-withheld';
import { ShardInitial1764100000000 } from './shard/1764100000000-shard-initial';
import { Idempotency1764200000000 } from './shard/1764200000000-idempotency';
import { ProductsAndSuppliers1764300000000 } from './shard/1764300000000-products-and-suppliers';
import { IntegrationSecrets1764560000000 } from './shard/1764560000000-integration-secrets';
import { Stock1764700000000 } from './shard/1764700000000-stock';
import { StockGuards1764800000000 } from './shard/1764800000000-stock-guards';
import { TenantFences1764810000000 } from './shard/1764810000000-tenant-fences';
import { IdempotencyPerUser1764820000000 } from './shard/1764820000000-idempotency-per-user';
import { CacheVersionMoves1764830000000 } from './shard/1764830000000-cache-version-moves';
import { IntegrationSecretRemovals1765200000000 } from './shard/1765200000000-integration-secret-removals';
import { Orders1765300000000 } from './shard/1765300000000-orders';
import { Sales1765400000000 } from './shard/1765400000000-sales';

/** In order. Listed rather than globbed so dist and source runs see exactly the same set. */
export const CATALOG_MIGRATIONS = [
  CatalogInitial1764100000000,
  Access1764400000000,
  EmployeeInvites1764810000000,
  CatalogIdempotency1764820000000,
  EmployeeEmailTenantIndex1764900000000,
  CatalogCacheVersionMoves1765000000000,
  AuditIpWithheld1765100000000,
];
export const SHARD_MIGRATIONS = [
  ShardInitial1764100000000,
  Idempotency1764200000000,
  ProductsAndSuppliers1764300000000,
  IntegrationSecrets1764560000000,
  Stock1764700000000,
  StockGuards1764800000000,
  TenantFences1764810000000,
  IdempotencyPerUser1764820000000,
  CacheVersionMoves1764830000000,
  IntegrationSecretRemovals1765200000000,
  Orders1765300000000,
  Sales1765400000000,
];
