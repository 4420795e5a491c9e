// The servers the encryption benchmark loads, in a process of their own (the load
// generator must not share their event loop). Started by encryption.bench.ts; prints
// one JSON line with what the driver needs. Three instances of the application:
//
//   plain          a pass-through provider (encryption switched off; defined only here,
//                  never in src/, so no server can be started this way by mistake)
//   vault          production: Vault transit behind the in-process decryption cache
//   vault-nocache  Vault transit without the cache, on the same databases as `vault`
//
// Each shop has 50 employees (the owner and 49 more) with name, e-mail and phone: 149
// sensitive values on a page of 50. There are SHOPS shops, so reading each shop's page
// in turn needs SHOPS x 149 values, more than the decryption cache holds (20,000):
// those reads miss, as reads of pages nobody looked at lately do.
//
// Vault is an OpenBao dev server of the benchmark's own (configured by
// docker/vault/configure.sh, AppRole like production), so its CPU time is the
// benchmark's alone. A control server counts, since the last reset, the pages served
// and the requests that left for Vault:
//   GET /calls   {"pages":n,"decrypt":{"calls":n,"items":n},"other":n}  (pages: requests received)
//   POST /reset
//   POST /profile/start, POST /profile/stop?file=<path>   a V8 CPU profile of this process
//                (the measured slices only, without the start-up and the seeding)
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import Fastify from 'fastify';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Session } from 'node:inspector/promises';
import { createConnection } from 'mysql2/promise';
import { AppModule } from '../src/app.module';
import { configureApp, createAdapter } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { CatalogDatabase } from '../src/infra/database/catalog-database';
import { uuid7 } from '../src/infra/database/uuid7';
import { normaliseEmail, normalisePhone } from '../src/infra/validation/normalise';
import type { DecryptionCache } from '../src/modules/secrets/decryption-cache';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../src/modules/secrets/encryption.provider';
import { createVaultHealthApi } from '../src/modules/secrets/hashi-vault.client';
import { VaultHttp } from '../src/modules/secrets/vault-http';
import { VaultTransitClient } from '../src/modules/secrets/vault-transit.client';
import { VaultTransitProvider } from '../src/modules/secrets/vault-transit.provider';
import { User } from '../src/modules/tenants/entities';
import { type OwnOpenBao, startOpenBao } from '../test/support/own-openbao';

export const PAGE = 50;
export const SHOPS = Number(process.env.BENCH_SHOPS ?? 150);
const MYSQL = 'mysql://root@127.0.0.1:3306';
const PASSWORD = 'bench password 123';

type Instance = 'plain' | 'vault' | 'vault-nocache';

export interface EncryptionServers {
  urls: Record<Instance, string>;
  /** The benchmark's own OpenBao. */
  vaultAddr: string;
  control: string;
  /** Access tokens of the shops' owners, the same on `vault` and `vault-nocache` (same databases). */
  tokens: { plain: string[]; vault: string[] };
  valuesPerPage: number;
}

/** Encryption switched off. */
const passThrough: EncryptionProvider = {
  kind: 'vault-transit',
  encrypt: async (_tenant, values) => [...values],
  decrypt: async (_tenant, values) => [...values],
  blindIndex: async (scope, values) => values.map((v) => createHash('sha256').update(scope + v).digest('hex')),
  health: async () => ({ up: true }),
  keyVersions: async () => ({ latest: 1, minDecryption: 1 }),
  rewrap: async (_tenant, values) => [...values],
};

const calls = { pages: 0, decrypt: { calls: 0, items: 0 }, other: 0 };
const request = VaultHttp.prototype.request;
VaultHttp.prototype.request = function (this: VaultHttp, ...args: Parameters<VaultHttp['request']>) {
  const [req] = args;
  if (req.path.includes('/transit/decrypt/')) {
    calls.decrypt.calls++;
    calls.decrypt.items += (req.body as { batch_input: unknown[] }).batch_input.length;
  } else calls.other++;
  return request.apply(this, args);
};

const vaultEnv = (bao: OwnOpenBao) => ({ VAULT_ADDR: bao.addr, VAULT_ROLE_ID: bao.appRole.roleId, VAULT_SECRET_ID: bao.appRole.secretId });

async function recreate(databases: string[]): Promise<void> {
  const mysql = await createConnection(`${MYSQL}/`);
  for (const db of databases) {
    await mysql.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await mysql.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  }
  await mysql.end();
}

async function boot(instance: Instance, databases: string, vault: Record<string, string>): Promise<NestFastifyApplication> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CATALOG_DATABASE_URL: `${MYSQL}/bench_enc_${databases}_catalog`,
    SHARD_DATABASE_URLS: `s=${MYSQL}/bench_enc_${databases}_shard`,
    REDIS_URL: 'redis://127.0.0.1:6379/14',
    AUTH_TOKEN_SECRET: 'bench-only-secret-0123456789abcdefghij',
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    KEY_REWRAP_INTERVAL_SECONDS: '0',
    DATABASE_POOL_SIZE: '20',
    ...vault,
  });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (instance === 'plain') builder = builder.overrideProvider(ENCRYPTION_PROVIDER).useValue(passThrough);
  if (instance === 'vault-nocache') {
    builder = builder.overrideProvider(ENCRYPTION_PROVIDER).useFactory({
      factory: (transit: VaultTransitClient) => new VaultTransitProvider(config.vault!, transit, createVaultHealthApi(config.vault!)),
      inject: [VaultTransitClient],
    });
  }
  const app = (await builder.compile()).createNestApplication<NestFastifyApplication>(createAdapter(config), { bufferLogs: true });
  await configureApp(app);
  // Counted as they arrive, like the Vault calls they cause (also those of requests cut off when a slice ends).
  app.getHttpServer().on('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/api/v1/employees?')) calls.pages++;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

/**
 * SHOPS shops signed up and logged in through the API; their employees go straight
 * into the catalog, sealed by the server's own provider (a password hash each would
 * take minutes), with the blind indexes the API would write.
 */
async function seed(app: NestFastifyApplication, label: string): Promise<string[]> {
  const fastify = app.getHttpAdapter().getInstance();
  const json = 'application/vnd.api+json';
  const send = async (url: string, body: unknown, ip: string) => {
    const res = await fastify.inject({ method: 'POST', url, remoteAddress: ip, headers: { 'content-type': json, accept: json }, payload: JSON.stringify(body) });
    if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const encryption = app.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
  const catalog = app.get(CatalogDatabase).manager;
  const start = Date.now();
  const one = async (shop: number): Promise<string> => {
    const ip = `10.${label.length}.${shop >> 8}.${(shop & 255) + 1}`;
    const email = `bench-${label}-${shop}-${start}@example.com`;
    const signup = { tenantName: `Bench ${shop}`, ownerName: `Owner ${shop}`, email, password: PASSWORD, currency: 'RUB', timeZone: 'Europe/Moscow' };
    const tenantId = (await send('/api/v1/signup', { data: { type: 'signups', attributes: signup } }, ip)).data.id as string;
    const token = (await send('/api/v1/sessions', { data: { type: 'sessions', attributes: { email, password: PASSWORD } } }, ip)).data.attributes.accessToken as string;
    const people = Array.from({ length: PAGE - 1 }, (_, i) => ({ name: `Florist number ${i + 1}`, email: `f${i + 1}-${email}`, phone: `+7 916 ${String(1000000 + i)}` }));
    const [sealed, logins, byEmail, byPhone] = await Promise.all([
      encryption.encrypt(tenantId, people.flatMap((p) => [p.name, p.email, p.phone])),
      encryption.blindIndex('', people.map((p) => normaliseEmail(p.email))),
      encryption.blindIndex(tenantId, people.map((p) => normaliseEmail(p.email))),
      encryption.blindIndex(tenantId, people.map((p) => normalisePhone(p.phone, 'RUB')!)),
    ]);
    const users: User[] = people.map((_, i) => ({
      tenantId,
      id: uuid7(),
      nameCiphertext: sealed[3 * i],
      emailCiphertext: sealed[3 * i + 1],
      phoneCiphertext: sealed[3 * i + 2],
      emailIndex: logins[i],
      emailTenantIndex: byEmail[i],
      phoneIndex: byPhone[i],
      passwordHash: 'scrypt$unusable',
      role: 'florist',
      active: true,
      createdAt: new Date(start + shop * PAGE + i + 1),
      updatedAt: new Date(start + shop * PAGE + i + 1),
    }));
    await catalog.insert(User, users);
    return token;
  };
  // Four at a time: the password hashes run on libuv's thread pool.
  const tokens: string[] = [];
  for (let shop = 0; shop < SHOPS; shop += 4) tokens.push(...(await Promise.all([shop, shop + 1, shop + 2, shop + 3].filter((n) => n < SHOPS).map(one))));
  return tokens;
}

let bao: OwnOpenBao | undefined;

async function main(): Promise<void> {
  bao = await startOpenBao({ persistent: false });
  const vault = vaultEnv(bao);
  await recreate(['bench_enc_plain_catalog', 'bench_enc_plain_shard', 'bench_enc_vault_catalog', 'bench_enc_vault_shard']);
  const plain = await boot('plain', 'plain', vault);
  const encrypted = await boot('vault', 'vault', vault);
  const nocache = await boot('vault-nocache', 'vault', vault);
  const tokens = { plain: await seed(plain, 'plain'), vault: await seed(encrypted, 'vault') };
  // Seeding encrypted through the cache: start the measurement with nothing in it.
  encrypted.get<DecryptionCache>(ENCRYPTION_PROVIDER).clear();

  const control = Fastify({ logger: false });
  control.get('/calls', async () => calls);
  control.post('/reset', async () => {
    Object.assign(calls, { pages: 0, decrypt: { calls: 0, items: 0 }, other: 0 });
    return calls;
  });
  const inspector = new Session();
  inspector.connect();
  control.post('/profile/start', async () => {
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
    return { profiling: true };
  });
  control.post('/profile/stop', async (req) => {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync((req.query as { file: string }).file, JSON.stringify(profile));
    return { profiling: false };
  });
  await control.listen({ port: 0, host: '127.0.0.1' });
  const url = async (app: NestFastifyApplication) => (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const servers: EncryptionServers = {
    urls: { plain: await url(plain), vault: await url(encrypted), 'vault-nocache': await url(nocache) },
    vaultAddr: bao.addr,
    control: `http://127.0.0.1:${(control.server.address() as { port: number }).port}`,
    tokens,
    valuesPerPage: 2 + 3 * (PAGE - 1),
  };
  process.stdout.write(`${JSON.stringify(servers)}\n`);
  // Nest's shutdown hooks also listen for SIGTERM; whatever they do, this process ends within 5 s.
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 5000).unref();
    void Promise.allSettled([control.close(), plain.close(), encrypted.close(), nocache.close()])
      .then(() => bao?.close())
      .then(() => process.exit(0));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  await bao?.close();
  process.exit(1);
});
