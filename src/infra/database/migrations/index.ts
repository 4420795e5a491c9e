import { CatalogInitial1764100000000 } from './catalog/1764100000000-catalog-initial';
import { Access1764400000000 } from './catalog/1764400000000-access';
import { EmployeeEmailTenantIndex1764900000000 } from './catalog/1764900000000-employee-email-tenant-index';
import { ShardInitial1764100000000 } from './shard/1764100000000-shard-initial';
import { Idempotency1764200000000 } from './shard/1764200000000-idempotency';
import { ProductsAndSuppliers1764300000000 } from './shard/1764300000000-products-and-suppliers';
import { IntegrationSecrets1764560000000 } from './shard/1764560000000-integration-secrets';
import { Stock1764700000000 } from './shard/1764700000000-stock';

/** In order. Listed rather than globbed so dist and source runs see exactly the same set. */
export const CATALOG_MIGRATIONS = [CatalogInitial1764100000000, Access1764400000000, EmployeeEmailTenantIndex1764900000000];
export const SHARD_MIGRATIONS = [ShardInitial1764100000000, Idempotency1764200000000, ProductsAndSuppliers1764300000000, IntegrationSecrets1764560000000, Stock1764700000000];
