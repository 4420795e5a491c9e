import 'reflect-metadata';
import { createClient } from '@keyv/redis';
import { createConnection } from 'mysql2/promise';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/app-config';
import { runAllMigrations } from '../../src/infra/database/migrate';
import {
  APPROLE_FILE,
  MYSQL_ROOT_URL,
  REDIS_TEST_URL,
  TEST_DATABASES,
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
 * Before the services-profile suites: fresh test databases on MariaDB with the
 * migrations applied once (so parallel workers do not race to create tables),
 * an empty Redis test database, and AppRole credentials from OpenBao. A missing
 * service fails the run here, loudly; nothing is skipped.
 */
export default async function setup(): Promise<void> {
  const mysql = await createConnection(`${MYSQL_ROOT_URL}/`).catch((e) => fail('MariaDB at 127.0.0.1:3306', e));
  for (const db of TEST_DATABASES) {
    await mysql.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await mysql.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  await mysql.end();

  const redis = createClient({ url: REDIS_TEST_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  await redis.connect().catch((e) => fail('Redis at 127.0.0.1:6379', e));
  await redis.flushDb();
  await redis.close();

  const roleId = await vault(`auth/approle/role/${VAULT_APP_ROLE}/role-id`).catch((e) => fail('OpenBao at 127.0.0.1:8200', e));
  const secretId = await vault(`auth/approle/role/${VAULT_APP_ROLE}/secret-id`, 'POST');
  writeFileSync(APPROLE_FILE, JSON.stringify({ roleId: roleId.data.role_id, secretId: secretId.data.secret_id }), { mode: 0o600 });

  await runAllMigrations(loadConfig(servicesEnv()));
}
