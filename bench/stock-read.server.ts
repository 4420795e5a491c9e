// The servers the stock read benchmark loads, in a process of their own (the load
// generator must not share their event loop): the real application on the
// benchmark's databases, and beside it a raw Fastify route that answers a fixed
// copy of the same document. Started by stock-read.bench.ts; writes one JSON line
// with what the driver needs to file descriptor 3. The application logs as in
// production (LOG_LEVEL=info: one JSON line per request, to stdout, which the
// driver points at a file it counts). POST /__cache?enabled=false on the raw server turns
// the read cache off (every read goes to MySQL) and back on; POST /__profile/start
// and /__profile/stop profile this process's CPU in between (the latter writes the
// V8 CPU profile to a file and answers its path).
import 'reflect-metadata';
import Fastify from 'fastify';
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { CachedReads } from '../src/infra/cache/cached-read';
import { STOCK_BENCH_MANIFEST, type StockBenchManifest, stockBenchEnv } from './lib/stock-env';

const ROWS = 100;

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(STOCK_BENCH_MANIFEST, 'utf8')) as StockBenchManifest;
  const shop = manifest.tenants[0];
  const store = shop.stores.find((s) => s.levels >= ROWS);
  if (!store) throw new Error(`no store with ${ROWS} stock levels: run npm run bench:stock-data first`);

  const app = await createApp(loadConfig({ ...stockBenchEnv(), LOG_LEVEL: 'info' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const json = 'application/vnd.api+json';
  const login = await fetch(`${appUrl}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': json, accept: json },
    body: JSON.stringify({ data: { type: 'sessions', attributes: { email: shop.email, password: shop.password } } }),
  });
  const token = ((await login.json()) as { data: { attributes: { accessToken: string } } }).data.attributes.accessToken;
  const path = `/api/v1/stock-levels?filter[store]=${store.id}&page[size]=${ROWS}`;
  const first = await fetch(`${appUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: json } });
  const body = await first.text();
  const contentType = first.headers.get('content-type') ?? json;
  if (first.status !== 200 || (JSON.parse(body) as { data: unknown[] }).data.length !== ROWS) throw new Error(`the stock read answered ${first.status}`);

  const raw = Fastify({ logger: false });
  raw.get('/raw', async (_request, reply) => reply.header('content-type', contentType).send(body));
  raw.post('/__cache', async (request) => {
    app.get(CachedReads).enabled = (request.query as { enabled?: string }).enabled !== 'false';
    return { enabled: app.get(CachedReads).enabled };
  });
  const profiler = new Session();
  raw.post('/__profile/start', async () => {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return { profiling: true };
  });
  raw.post('/__profile/stop', async () => {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    const path = join(tmpdir(), `bloomdesk-stock-read-${Date.now()}.cpuprofile`);
    writeFileSync(path, JSON.stringify(profile));
    return { path };
  });
  await raw.listen({ port: 0, host: '127.0.0.1' });
  const rawUrl = `http://127.0.0.1:${(raw.server.address() as { port: number }).port}`;
  writeSync(3, `${JSON.stringify({ appUrl, rawUrl, path, token, bytes: Buffer.byteLength(body), store: store.id, levels: store.levels })}\n`);
  // Nest's shutdown hooks also listen for SIGTERM; whatever they do, this process ends within 5 s.
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 5000).unref();
    void Promise.allSettled([raw.close(), app.close()]).then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
