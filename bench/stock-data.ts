// The stock benchmark's data: N shops on the services profile's MariaDB, each with
// stores, 2,000 products and a year of stock movements (receipts, sales first
// expiring first, write-offs of what expired), loaded straight into the shards.
//
//   npm run bench:stock-data [-- --tenants 2 --stores 3 --days 365]
//
// Shops, owners and stores are made through the API (so the catalog and the shard
// placement are the server's own); products, batches, levels, movements, receipts
// and write-offs are simulated by bench/data/stock-history.ts and inserted in bulk.
// The ledger invariant is checked at the end (the same check as `npm run stock:check`).
import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { CatalogDatabase } from '../src/infra/database/catalog-database';
import { StockCheck } from '../src/modules/inventory/stock-check.service';
import { COLUMNS, DEFAULT_HISTORY, type ShopRows, shopHistory } from './data/stock-history';
import { environment, formatInt, print, writeJson } from './lib/report';
import { MYSQL, STOCK_BENCH_DATABASES, STOCK_BENCH_MANIFEST, type StockBenchManifest, stockBenchEnv } from './lib/stock-env';

const { values: args } = parseArgs({
  options: { tenants: { type: 'string', default: '2' }, stores: { type: 'string', default: '3' }, days: { type: 'string', default: String(DEFAULT_HISTORY.days) } },
});
const TENANTS = Number(args.tenants);
const STORES = Number(args.stores);
const shape = { ...DEFAULT_HISTORY, days: Number(args.days) };

const TABLES: Array<[keyof ShopRows, keyof typeof COLUMNS]> = [
  ['products', 'products'],
  ['batches', 'stock_batches'],
  ['levels', 'stock_levels'],
  ['movements', 'stock_movements'],
  ['receipts', 'goods_receipts'],
  ['receiptLines', 'goods_receipt_lines'],
  ['writeOffs', 'write_offs'],
  ['writeOffLines', 'write_off_lines'],
];

async function main(): Promise<void> {
  const started = Date.now();
  const root = await createConnection({ uri: `${MYSQL}/`, timezone: 'Z' });
  for (const db of [STOCK_BENCH_DATABASES.catalog, ...Object.values(STOCK_BENCH_DATABASES.shards)]) {
    await root.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await root.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  const app = await createApp(loadConfig(stockBenchEnv()));
  const fastify = app.getHttpAdapter().getInstance();
  const json = 'application/vnd.api+json';
  const send = async (url: string, body: unknown, token?: string, ip = '127.0.0.1') => {
    const res = await fastify.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      headers: { 'content-type': json, accept: json, ...(token && { authorization: `Bearer ${token}` }) },
      payload: JSON.stringify(body),
    });
    if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  const manifest: StockBenchManifest = { tenants: [] };
  const counts: Record<string, number> = {};
  for (let t = 0; t < TENANTS; t++) {
    const email = `stock-bench-${t}@example.com`;
    const password = 'stock bench password';
    const ip = `10.13.0.${t + 1}`;
    const tenant = await send('/api/v1/signup', { data: { type: 'signups', attributes: { tenantName: `Bench shop ${t}`, ownerName: 'Owner', email, password, currency: 'RUB', timeZone: 'Europe/Moscow' } } }, undefined, ip);
    const token = (await send('/api/v1/sessions', { data: { type: 'sessions', attributes: { email, password } } }, undefined, ip)).data.attributes.accessToken;
    const stores: string[] = [];
    for (let s = 0; s < STORES; s++) stores.push((await send('/api/v1/stores', { data: { type: 'stores', attributes: { name: `Store ${s}` } } }, token)).data.id);
    const tenantId = tenant.data.id as string;
    const [row] = await app.get(CatalogDatabase).dataSource.query('SELECT t.shard_id AS shard, u.id AS owner FROM tenants t JOIN users u ON u.tenant_id = t.id WHERE t.id = ?', [tenantId]);

    const rows = shopHistory(tenantId, row.owner, stores, shape, t);
    const shard = await createConnection({ uri: `${MYSQL}/${STOCK_BENCH_DATABASES.shards[row.shard as keyof typeof STOCK_BENCH_DATABASES.shards]}`, timezone: 'Z' });
    for (const [key, table] of TABLES) {
      const list = rows[key];
      for (let i = 0; i < list.length; i += 2000) await shard.query(`INSERT INTO ${table} (${COLUMNS[table].join(', ')}) VALUES ?`, [list.slice(i, i + 2000)]);
      counts[table] = (counts[table] ?? 0) + list.length;
    }
    await shard.end();
    const report = await app.get(StockCheck).run({ tenantId, shardId: row.shard });
    if (report.discrepancies.length) throw new Error(`the generated ledger does not add up: ${JSON.stringify(report.discrepancies.slice(0, 3))}`);
    const levels = (store: string) => rows.levels.filter((l) => l[2] === store).length;
    manifest.tenants.push({ tenantId, email, password, stores: stores.map((id) => ({ id, levels: levels(id) })) });
    print(`shop ${t + 1}/${TENANTS} on shard ${row.shard}: ${formatInt(rows.movements.length)} movements, ${formatInt(rows.batches.length)} batches, ${formatInt(rows.levels.length)} levels; the ledger adds up`);
  }
  await app.close();
  await root.end();
  writeFileSync(STOCK_BENCH_MANIFEST, JSON.stringify(manifest, null, 2), { mode: 0o600 });
  const seconds = Math.round((Date.now() - started) / 1000);
  writeJson(join(__dirname, 'results', 'stock-data.json'), { environment: environment(), shape: { ...shape, tenants: TENANTS, storesPerTenant: STORES }, rows: counts, seconds });
  print(`loaded in ${seconds} s: ${Object.entries(counts).map(([table, n]) => `${table} ${formatInt(n)}`).join(', ')}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
