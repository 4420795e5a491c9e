import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The services the suite runs against: those scripts/services.sh brings up.
export const MYSQL_ROOT_URL = 'mysql://root@127.0.0.1:3306';

/**
 * Each test run gets databases of its own (`bdt_<run>_catalog`, `_a`, `_b`), so two
 * runs on one machine never drop each other's data. The global setup picks the run
 * id and passes it to the workers in the environment.
 */
export function testDatabases(run = process.env.BLOOMDESK_TEST_RUN): [catalog: string, shardA: string, shardB: string] {
  if (!run) throw new Error('BLOOMDESK_TEST_RUN is not set: the services global setup did not run');
  return [`bdt_${run}_catalog`, `bdt_${run}_a`, `bdt_${run}_b`];
}
export const TEST_DATABASE_PATTERN = /^bdt_([a-z0-9]+)_(catalog|a|b)$/;
export const REDIS_TEST_URL = 'redis://127.0.0.1:6379/15';
export const VAULT_ADDR = 'http://127.0.0.1:8200';
export const VAULT_DEV_ROOT_TOKEN = 'bloomdesk-dev-root';
export const VAULT_APP_ROLE = 'bloomdesk-app';

/** Written by the global setup: the AppRole credentials it fetched from OpenBao. */
export const APPROLE_FILE = join(tmpdir(), 'bloomdesk-test-approle.json');

/** The services-profile environment of the e2e suites (AppRole, like production). */
export function servicesEnv(): Record<string, string> {
  const { roleId, secretId } = JSON.parse(readFileSync(APPROLE_FILE, 'utf8')) as { roleId: string; secretId: string };
  const [catalog, shardA, shardB] = testDatabases();
  return {
    NODE_ENV: 'test',
    CATALOG_DATABASE_URL: `${MYSQL_ROOT_URL}/${catalog}`,
    SHARD_DATABASE_URLS: `a=${MYSQL_ROOT_URL}/${shardA},b=${MYSQL_ROOT_URL}/${shardB}`,
    REDIS_URL: REDIS_TEST_URL,
    VAULT_ADDR,
    VAULT_ROLE_ID: roleId,
    VAULT_SECRET_ID: secretId,
    AUTH_TOKEN_SECRET: 'e2e-only-secret-0123456789abcdefghijklmnop',
  };
}
