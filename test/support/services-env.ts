import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The services the suite runs against: those scripts/services.sh brings up.
export const MYSQL_ROOT_URL = 'mysql://root@127.0.0.1:3306';
export const TEST_DATABASES = ['bd_test_catalog', 'bd_test_shard_a', 'bd_test_shard_b'] as const;
export const REDIS_TEST_URL = 'redis://127.0.0.1:6379/15';
export const VAULT_ADDR = 'http://127.0.0.1:8200';
export const VAULT_DEV_ROOT_TOKEN = 'bloomdesk-dev-root';
export const VAULT_APP_ROLE = 'bloomdesk-app';

/** Written by the global setup: the AppRole credentials it fetched from OpenBao. */
export const APPROLE_FILE = join(tmpdir(), 'bloomdesk-test-approle.json');

/** The services-profile environment of the e2e suites (AppRole, like production). */
export function servicesEnv(): Record<string, string> {
  const { roleId, secretId } = JSON.parse(readFileSync(APPROLE_FILE, 'utf8')) as { roleId: string; secretId: string };
  return {
    NODE_ENV: 'test',
    CATALOG_DATABASE_URL: `${MYSQL_ROOT_URL}/${TEST_DATABASES[0]}`,
    SHARD_DATABASE_URLS: `a=${MYSQL_ROOT_URL}/${TEST_DATABASES[1]},b=${MYSQL_ROOT_URL}/${TEST_DATABASES[2]}`,
    REDIS_URL: REDIS_TEST_URL,
    VAULT_ADDR,
    VAULT_ROLE_ID: roleId,
    VAULT_SECRET_ID: secretId,
    AUTH_TOKEN_SECRET: 'e2e-only-secret-0123456789abcdefghijklmnop',
  };
}
