import 'reflect-metadata';
import { createClient } from '@keyv/redis';
import { type RowDataPacket, createConnection } from 'mysql2/promise';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/app-config';
import { runAllMigrations } from '../../src/infra/database/migrate';
import {
  APPROLE_FILE,
  MYSQL_ROOT_URL,
  REDIS_TEST_URL,
  TEST_DATABASE_PATTERN,
  testDatabases,
  VAULT_ADDR,
  VAULT_APP_ROLE,
  VAULT_DEV_ROOT_TOKEN,
  servicesEnv,
} from './services-env';

const fail = (service: string, error: unknown): never => {
  throw new Error(`${service} is not usable (${(error as Error).message}); run scripts/services.sh first`);
};

async function vault(path: string, method = 'GET'): Promise<Record<string, any>> {
  const response = await fetch(`${VAULT_ADDR}/v1/${path}`, { method, headers: { 'x-vault-token': VAULT_DEV_ROOT_TOKEN } });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return (await response.json()) as Record<string, any>;
}

/**
 * Before the services-profile suites: databases of this run's own on MariaDB with
 * the migrations applied once (so parallel workers do not race to create tables),
 * Redis answering, and AppRole credentials from OpenBao. A missing service fails
 * the run here, loudly; nothing is skipped. The teardown drops the databases.
 */
export default async function setup(): Promise<void> {
  // Base 36 of the start time: sortable, so runs that died without cleaning up can be told apart.
  const run = Date.now().toString(36);
  process.env.BLOOMDESK_TEST_RUN = run;
  const mysql = await createConnection(`${MYSQL_ROOT_URL}/`).catch((e) => fail('MariaDB at 127.0.0.1:3306', e));
  const [existing] = await mysql.query<Array<{ name: string } & RowDataPacket>>('SELECT schema_name AS name FROM information_schema.schemata');
  for (const { name } of existing) {
    const match = TEST_DATABASE_PATTERN.exec(name);
    // Leftovers of runs that started more than two hours ago (a run takes minutes).
    if (match && Date.now() - parseInt(match[1], 36) > 2 * 3600_000) await mysql.query(`DROP DATABASE \`${name}\``);
  }
  for (const db of testDatabases(run)) await mysql.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await mysql.end();

  const redis = createClient({ url: REDIS_TEST_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  await redis.connect().catch((e) => fail('Redis at 127.0.0.1:6379', e));
  await redis.ping();
  await redis.close();

  const roleId = await vault(`auth/approle/role/${VAULT_APP_ROLE}/role-id`).catch((e) => fail('OpenBao at 127.0.0.1:8200', e));
  const secretId = await vault(`auth/approle/role/${VAULT_APP_ROLE}/secret-id`, 'POST');
  writeFileSync(APPROLE_FILE, JSON.stringify({ roleId: roleId.data.role_id, secretId: secretId.data.secret_id }), { mode: 0o600 });

  await runAllMigrations(loadConfig(servicesEnv()));
}
