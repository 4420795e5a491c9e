// Issue 6's benchmark: a page of 50 employees, 3 sensitive fields each (name, e-mail,
// phone), read through the API, with encryption on (Vault transit, as production) and
// switched off (a pass-through provider that exists only here), in the same run.
//
//   npm run bench:encryption     (needs the services: bash scripts/services.sh)
//
// Three servers, each on its own databases, load-tested in turn, rounds interleaved:
//   plain      the pass-through provider: what the page costs without encryption
//   vault      Vault transit behind the in-process decryption cache (production)
//   vault-cold Vault transit with no cache: every page is one decrypt call of 150 values
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import autocannon from 'autocannon';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';
import { configureApp, createAdapter } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../src/modules/secrets/encryption.provider';
import { createVaultHealthApi } from '../src/modules/secrets/hashi-vault.client';
import { VaultTransitClient } from '../src/modules/secrets/vault-transit.client';
import { VaultTransitProvider } from '../src/modules/secrets/vault-transit.provider';
import { environment, formatInt, formatRatio, markdownTable, print, writeJson } from './lib/report';

const PAGE = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const MYSQL = 'mysql://root@127.0.0.1:3306';

type Variant = 'plain' | 'vault' | 'vault-cold';

/** Encryption switched off: never in src/, so no server can be started this way by mistake. */
const passThrough: EncryptionProvider = {
  kind: 'vault-transit',
  encrypt: async (_tenant, values) => [...values],
  decrypt: async (_tenant, values) => [...values],
  blindIndex: async (scope, values) => values.map((v) => createHash('sha256').update(scope + v).digest('hex')),
  health: async () => ({ up: true }),
  keyVersions: async () => ({ latest: 1, minDecryption: 1 }),
  rewrap: async (_tenant, values) => [...values],
};

async function vaultCredentials(): Promise<Record<string, string>> {
  const headers = { 'x-vault-token': 'bloomdesk-dev-root' };
  const roleId = await (await fetch('http://127.0.0.1:8200/v1/auth/approle/role/bloomdesk-app/role-id', { headers })).json();
  const secretId = await (await fetch('http://127.0.0.1:8200/v1/auth/approle/role/bloomdesk-app/secret-id', { method: 'POST', headers })).json();
  return { VAULT_ROLE_ID: (roleId as any).data.role_id, VAULT_SECRET_ID: (secretId as any).data.secret_id };
}

async function boot(variant: Variant, vault: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string; token: string }> {
  const mysql = await createConnection(`${MYSQL}/`);
  for (const db of [`bench_enc_${variant.replace('-', '_')}_catalog`, `bench_enc_${variant.replace('-', '_')}_shard`]) {
    await mysql.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await mysql.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  }
  await mysql.end();
  const name = variant.replace('-', '_');
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CATALOG_DATABASE_URL: `${MYSQL}/bench_enc_${name}_catalog`,
    SHARD_DATABASE_URLS: `s=${MYSQL}/bench_enc_${name}_shard`,
    REDIS_URL: 'redis://127.0.0.1:6379/14',
    VAULT_ADDR: 'http://127.0.0.1:8200',
    AUTH_TOKEN_SECRET: 'bench-only-secret-0123456789abcdefghij',
    ...vault,
  });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (variant === 'plain') builder = builder.overrideProvider(ENCRYPTION_PROVIDER).useValue(passThrough);
  if (variant === 'vault-cold') {
    builder = builder.overrideProvider(ENCRYPTION_PROVIDER).useFactory({
      factory: (transit: VaultTransitClient) => new VaultTransitProvider(config.vault!, transit, createVaultHealthApi(config.vault!)),
      inject: [VaultTransitClient],
    });
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(config), { bufferLogs: true });
  await configureApp(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = await app.getUrl();
  return { app, url: url.replace('[::1]', '127.0.0.1'), token: await seed(app, variant) };
}

/** A shop with 50 employees, through the API, so the rows are what the server writes. */
async function seed(app: NestFastifyApplication, variant: Variant): Promise<string> {
  const fastify = app.getHttpAdapter().getInstance();
  const json = 'application/vnd.api+json';
  const send = async (method: string, url: string, body: unknown, token?: string) => {
    const res = await fastify.inject({
      method: method as 'POST',
      url,
      headers: { 'content-type': json, accept: json, ...(token && { authorization: `Bearer ${token}` }) },
      payload: JSON.stringify(body),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const email = `bench-${variant}-${Date.now()}@example.com`;
  const password = 'bench password 123';
  await send('POST', '/api/v1/signup', { data: { type: 'signups', attributes: { tenantName: 'Bench', ownerName: 'Owner', email, password, currency: 'RUB', timeZone: 'Europe/Moscow' } } });
  const token = (await send('POST', '/api/v1/sessions', { data: { type: 'sessions', attributes: { email, password } } })).data.attributes.accessToken;
  for (let i = 1; i < PAGE; i++) {
    await send(
      'POST',
      '/api/v1/employees',
      { data: { type: 'employees', attributes: { name: `Florist number ${i}`, email: `f${i}-${email}`, phone: `+7 916 ${String(1000000 + i)}`, role: 'florist', password } } },
      token,
    );
  }
  return token;
}

async function load(url: string, token: string): Promise<{ rps: number; p50: number; p99: number }> {
  const result = await autocannon({
    url: `${url}/api/v1/employees?page[size]=${PAGE}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.api+json' },
  });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  const vault = await vaultCredentials();
  const variants: Variant[] = ['plain', 'vault', 'vault-cold'];
  const servers = Object.fromEntries(await Promise.all(variants.map(async (v) => [v, await boot(v, vault)] as const))) as Record<Variant, Awaited<ReturnType<typeof boot>>>;
  const page = await (await fetch(`${servers.vault.url}/api/v1/employees?page[size]=${PAGE}`, { headers: { authorization: `Bearer ${servers.vault.token}` } })).json();
  if ((page as any).data.length !== PAGE || !(page as any).data[1].attributes.phone.startsWith('+7')) throw new Error('the encrypted page does not read back');

  const rounds: Array<Record<Variant, { rps: number; p50: number; p99: number }>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    const results = {} as Record<Variant, { rps: number; p50: number; p99: number }>;
    for (const variant of order) results[variant] = await load(servers[variant].url, servers[variant].token);
    rounds.push(results);
    print(`round ${round + 1}: ${variants.map((v) => `${v} ${formatInt(results[v].rps)} req/s`).join(', ')}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(
    variants.map((v) => {
      const cost = median(rounds.map((r) => r.plain.rps / r[v].rps));
      return [v, { rps: median(rounds.map((r) => r[v].rps)), p50: median(rounds.map((r) => r[v].p50)), p99: median(rounds.map((r) => r[v].p99)), costVsPlain: cost }];
    }),
  ) as Record<Variant, { rps: number; p50: number; p99: number; costVsPlain: number }>;

  const table = markdownTable(
    ['variant', 'req/s (median)', 'p50 ms', 'p99 ms', 'cost vs plain'],
    variants.map((v) => [v, formatInt(summary[v].rps), String(summary[v].p50), String(summary[v].p99), formatRatio(summary[v].costVsPlain)]),
  );
  print(`\n${table}\n`);
  print(`goal: the encrypted page costs at most 1.5x the plain one -> vault ${formatRatio(summary.vault.costVsPlain)} (${summary.vault.costVsPlain <= 1.5 ? 'met' : 'missed'}), vault-cold ${formatRatio(summary['vault-cold'].costVsPlain)}`);
  writeJson(join(__dirname, 'results', 'encryption.json'), {
    environment: environment(),
    method: { page: PAGE, sensitiveFieldsPerRecord: 3, connections: CONNECTIONS, secondsPerSlice: SECONDS, rounds: ROUNDS, tool: `autocannon ${JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')).version}` },
    rounds,
    summary,
  });
  await Promise.all(variants.map((v) => servers[v].app.close()));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
