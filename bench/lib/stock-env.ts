import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bench's own databases on the local MariaDB (made by `npm run bench:stock-data`), Redis database 13. */
export const STOCK_BENCH_DATABASES = { catalog: 'bdbench_catalog', shards: { s1: 'bdbench_s1', s2: 'bdbench_s2' } } as const;
export const MYSQL = 'mysql://root@127.0.0.1:3306';

/** The services-profile environment of the stock benchmarks (what `scripts/services.sh` runs). */
export function stockBenchEnv(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CATALOG_DATABASE_URL: `${MYSQL}/${STOCK_BENCH_DATABASES.catalog}`,
    SHARD_DATABASE_URLS: Object.entries(STOCK_BENCH_DATABASES.shards)
      .map(([id, db]) => `${id}=${MYSQL}/${db}`)
      .join(','),
    REDIS_URL: 'redis://127.0.0.1:6379/13',
    VAULT_ADDR: 'http://127.0.0.1:8200',
    VAULT_TOKEN: 'bloomdesk-dev-root',
    AUTH_TOKEN_SECRET: 'bench-only-secret-0123456789abcdefghij',
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    DATABASE_POOL_SIZE: '20',
  };
}

/** What the data generator leaves for the read benchmark: logins and the stores to read. */
export const STOCK_BENCH_MANIFEST = join(tmpdir(), 'bloomdesk-stock-bench.json');

export interface StockBenchManifest {
  tenants: Array<{ tenantId: string; email: string; password: string; stores: Array<{ id: string; levels: number }> }>;
}
