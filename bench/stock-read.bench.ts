// Issue 5's benchmark: the cached stock read `GET /api/v1/stock-levels?filter[store]=..`
// (100 rows) against a raw Fastify route that answers a fixed copy of the same
// document, in the same run, with autocannon on loopback; then the same read with
// the cache off (MySQL every time).
//
//   npm run bench:stock-data      (once: the data; needs bash scripts/services.sh)
//   npm run bench:stock-read [-- --rounds 3 --seconds 10 --connections 20 --rate 2000 --rate-connections 10,50]
//   npm run bench:stock-read -- --cpu-prof [--seconds 10]   (only the cached read, its CPU profiled)
//
// Goal: the cached read serves at least 40 % of the raw route's requests per
// second, and holds p99 under 10 ms at 2,000 requests per second. Every answer of
// a cached variant must say `X-Cache: hit` (and none of the uncached one): else
// the run fails, since it would not measure what it says.
//
// The fixed rate, three ways. autocannon's `overallRate` gives each connection its
// share of a second's requests, which it sends back to back as answers come, then
// idles until the next second: bursts with as many requests in flight as there are
// connections. So it runs at each of --rate-connections (10, then 50, by default;
// the goal is judged at the first, see bench/README.md). Beside it, a steady
// open-loop load (`steady`): the rate's requests spread evenly over each
// millisecond, each timed from when it was due, over up to 64 connections.
//
// The application logs at info, as in production: one JSON line per request, to a
// file in the temp directory. After each slice of the application the driver counts
// the lines (and empties the file): a run in which the application wrote fewer
// lines than it answered requests fails.
//
// With --cpu-prof only the cached read is loaded, with the server process's CPU
// profiled during that slice (the V8 profiler through node:inspector, started and
// stopped by the server); the profile's self time is printed by package and source
// directory (bench/stock-cpu-profile.ts), and nothing is written to results/.
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { environment, formatInt, formatRatio, markdownTable, print, writeJson } from './lib/report';
import { printCpuShares } from './stock-cpu-profile';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    rate: { type: 'string', default: '2000' },
    'rate-connections': { type: 'string', default: '10,50' },
    'no-write': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const CPU_PROFILE = args['cpu-prof'];
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const RATE = Number(args.rate);
const RATE_CONNECTIONS = args['rate-connections'].split(',').map(Number);

interface Servers {
  appUrl: string;
  rawUrl: string;
  path: string;
  token: string;
  bytes: number;
  store: string;
  levels: number;
}

interface Run {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Answers by their X-Cache header ('none' without one). */
  cache: Record<string, number>;
  /** Request lines the application logged during the slice (its warm-up included); absent for the raw route. */
  logLines?: number;
}

/** Where the application's stdout (its log) goes during the run. */
const LOG_FILE = join(tmpdir(), `bloomdesk-stock-read-${process.pid}.log`);

/** The request lines logged since the last call, which empties the file. */
async function takeLogLines(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 200)); // the asynchronous destination writes what it still holds
  const text = readFileSync(LOG_FILE, 'utf8');
  truncateSync(LOG_FILE);
  return text.split('\n').filter((line) => line.includes('"msg":"request completed"')).length;
}

function startServers(): Promise<{ child: ChildProcess; servers: Servers }> {
  // Appended to, so that emptying it between slices leaves no hole where the server's offset was.
  const log = openSync(LOG_FILE, 'a');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'stock-read.server.ts')], { stdio: ['ignore', log, 'inherit', 'pipe'] });
  closeSync(log);
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    child.once('exit', early);
    createInterface({ input: child.stdio[3] as Readable }).once('line', (line) => {
      child.off('exit', early);
      resolve({ child, servers: JSON.parse(line) as Servers });
    });
  });
}

async function load(url: string, headers: Record<string, string>, options: { seconds: number; connections: number; rate?: number }): Promise<Run> {
  const cache: Record<string, number> = {};
  const onResponse = (_status: number, _body: string, _context: unknown, answered?: Record<string, string | string[] | undefined>) => {
    const outcome = String(answered?.['x-cache'] ?? 'none');
    cache[outcome] = (cache[outcome] ?? 0) + 1;
  };
  const result = await autocannon({
    url,
    headers,
    duration: options.seconds,
    connections: options.connections,
    requests: [{ method: 'GET', onResponse }],
    ...(options.rate && { overallRate: options.rate }),
  });
  return {
    cache,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

interface Steady {
  rate: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** How late the generator itself sent requests (its own event loop): p99 and max, ms. Part of the latencies above. */
  sendLateP99: number;
  sendLateMax: number;
  errors: number;
  cache: Record<string, number>;
}

/**
 * An open-loop load: `rate` requests a second, as many as are due each millisecond,
 * whatever the answers do; each latency counts from when its request was due, so a
 * stall shows in every request it delays (no coordinated omission).
 */
async function steady(url: string, headers: Record<string, string>, rate: number, seconds: number): Promise<Steady> {
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, { connections: 64 });
  const latencies: number[] = [];
  const late: number[] = [];
  const cache: Record<string, number> = {};
  let errors = 0;
  const total = rate * seconds;
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  const send = async (due: number) => {
    late.push(performance.now() - due);
    try {
      const res = await pool.request({ method: 'GET', path: `${pathname}${search}`, headers });
      await res.body.dump({ limit: Infinity });
      if (res.statusCode !== 200) errors++;
      const outcome = String(res.headers['x-cache'] ?? 'none');
      cache[outcome] = (cache[outcome] ?? 0) + 1;
      latencies.push(performance.now() - due);
    } catch {
      errors++;
    }
  };
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    for (; sent < due; sent++) inFlight.push(send(start + (sent * 1000) / rate));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  await pool.close();
  const quantile = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  };
  const [at, lateAt] = [quantile(latencies), quantile(late)];
  return { rate, requests: latencies.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), sendLateP99: lateAt(0.99), sendLateMax: lateAt(1), errors, cache };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { child, servers } = await startServers();
  try {
    const app = `${servers.appUrl}${servers.path}`;
    const raw = `${servers.rawUrl}/raw`;
    const headers = { authorization: `Bearer ${servers.token}`, accept: 'application/vnd.api+json' };
    const cache = (enabled: boolean) => fetch(`${servers.rawUrl}/__cache?enabled=${enabled}`, { method: 'POST' });
    /**
     * One slice: the run answered every request, and each as `cache` says ('hit' from the cache, 'none' (no X-Cache)
     * from MySQL or the raw route), and the application logged a line for each.
     */
    const measure = async (name: string, url: string, options: Parameters<typeof load>[2], cache: 'hit' | 'none') => {
      const logged = url !== raw;
      if (logged) await takeLogLines();
      const run = await load(url, headers, options);
      if (logged) run.logLines = await takeLogLines();
      if (run.non2xx || run.errors) throw new Error(`${name}: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
      const other = Object.entries(run.cache).filter(([outcome]) => outcome !== cache);
      if (other.length || !run.cache[cache]) throw new Error(`${name}: expected every answer to be X-Cache ${cache}, got ${JSON.stringify(run.cache)}`);
      if (logged && run.logLines! < run.requests) throw new Error(`${name}: ${run.requests} requests answered, ${run.logLines} logged`);
      return run;
    };
    print(`document: ${formatInt(servers.bytes)} bytes, 100 of ${servers.levels} stock levels of one store`);
    // Warm-up: JIT, connection pools, the cache entry.
    await load(raw, headers, { seconds: 2, connections: CONNECTIONS });
    await load(app, headers, { seconds: 2, connections: CONNECTIONS });
    if (CPU_PROFILE) {
      await fetch(`${servers.rawUrl}/__profile/start`, { method: 'POST' });
      const cached = await measure('cached, profiled', app, { seconds: SECONDS, connections: CONNECTIONS }, 'hit');
      const { path } = (await (await fetch(`${servers.rawUrl}/__profile/stop`, { method: 'POST' })).json()) as { path: string };
      print(`cached read under the profiler: ${formatInt(cached.rps)} req/s, p99 ${cached.p99} ms\n`);
      printCpuShares(path);
      return;
    }

    const urls = { raw, cached: app } as const;
    const variants = ['raw', 'cached'] as const;
    const expected = { raw: 'none', cached: 'hit' } as const;
    const rounds: Array<Record<(typeof variants)[number], Run>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results = {} as Record<(typeof variants)[number], Run>;
      for (const variant of variants.map((_, i) => variants[(i + round) % variants.length])) {
        results[variant] = await measure(variant, urls[variant], { seconds: SECONDS, connections: CONNECTIONS }, expected[variant]);
      }
      rounds.push(results);
      print(`round ${round + 1}: raw ${formatInt(results.raw.rps)} req/s, cached ${formatInt(results.cached.rps)} req/s (${formatRatio(results.cached.rps / results.raw.rps)})`);
    }
    const fixedRate = [];
    for (const connections of RATE_CONNECTIONS) {
      fixedRate.push({
        connections,
        raw: await measure(`raw at rate, ${connections} connections`, raw, { seconds: SECONDS, connections, rate: RATE }, 'none'),
        cached: await measure(`cached at rate, ${connections} connections`, app, { seconds: SECONDS, connections, rate: RATE }, 'hit'),
      });
      print(`at ${RATE} req/s, ${connections} connections: raw p99 ${fixedRate.at(-1)!.raw.p99} ms, cached p99 ${fixedRate.at(-1)!.cached.p99} ms`);
    }
    // Each after a warm-up of its own: the pool's connections, and the generator's code, hot.
    await steady(raw, headers, RATE, 2);
    const rawSteady = await steady(raw, headers, RATE, SECONDS);
    await steady(app, headers, RATE, 2);
    const steadyRate = { raw: rawSteady, cached: await steady(app, headers, RATE, SECONDS) };
    await takeLogLines();
    for (const [name, run] of Object.entries(steadyRate)) {
      const expectedOutcome = name === 'raw' ? 'none' : 'hit';
      if (run.errors || run.cache[expectedOutcome] !== run.requests) throw new Error(`${name}, steady: ${run.errors} errors, answers ${JSON.stringify(run.cache)}`);
    }
    print(`steady ${RATE} req/s: raw p99 ${steadyRate.raw.p99} ms, cached p99 ${steadyRate.cached.p99} ms (the generator sent late by up to ${steadyRate.raw.sendLateP99} / ${steadyRate.cached.sendLateP99} ms at p99)`);

    await cache(false);
    await load(app, headers, { seconds: 2, connections: CONNECTIONS });
    const uncached = await measure('cache off', app, { seconds: SECONDS, connections: CONNECTIONS }, 'none');
    const uncachedAtRate = await measure('cache off at rate', app, { seconds: SECONDS, connections: RATE_CONNECTIONS[0], rate: Math.min(RATE, Math.floor(uncached.rps * 0.8)) }, 'none');
    await cache(true);
    print(`cache off: ${formatInt(uncached.rps)} req/s, p99 ${uncached.p99} ms`);

    const summary = {
      raw: { rps: median(rounds.map((r) => r.raw.rps)), p50: median(rounds.map((r) => r.raw.p50)), p99: median(rounds.map((r) => r.raw.p99)) },
      cached: { rps: median(rounds.map((r) => r.cached.rps)), p50: median(rounds.map((r) => r.cached.p50)), p99: median(rounds.map((r) => r.cached.p99)) },
      ratio: median(rounds.map((r) => r.cached.rps / r.raw.rps)),
      ratioRange: [Math.min(...rounds.map((r) => r.cached.rps / r.raw.rps)), Math.max(...rounds.map((r) => r.cached.rps / r.raw.rps))],
    };
    const judged = fixedRate[0];
    const goal = {
      throughput: summary.ratio >= 0.4,
      p99AtRate: judged.cached.p99 < 10 && judged.cached.rps >= RATE * 0.95,
      judgedAt: `${RATE} req/s, autocannon with ${judged.connections} connections`,
    };
    const ms = (n: number) => String(n);
    const table = markdownTable(
      ['variant', 'load', 'req/s', 'p50 ms', 'p99 ms', 'vs raw'],
      [
        ['raw Fastify route, fixed document', `${CONNECTIONS} connections, max`, formatInt(summary.raw.rps), ms(summary.raw.p50), ms(summary.raw.p99), '1.00x'],
        ['stock read, cache on', `${CONNECTIONS} connections, max`, formatInt(summary.cached.rps), ms(summary.cached.p50), ms(summary.cached.p99), formatRatio(summary.ratio)],
        ['stock read, cache off (MySQL)', `${CONNECTIONS} connections, max`, formatInt(uncached.rps), ms(uncached.p50), ms(uncached.p99), formatRatio(uncached.rps / summary.raw.rps)],
        ...fixedRate.flatMap(({ connections, raw: r, cached: c }) => [
          ['raw Fastify route, fixed document', `${formatInt(RATE)} req/s, ${connections} connections`, formatInt(r.rps), ms(r.p50), ms(r.p99), ''],
          ['stock read, cache on', `${formatInt(RATE)} req/s, ${connections} connections`, formatInt(c.rps), ms(c.p50), ms(c.p99), ''],
        ]),
        ['raw Fastify route, fixed document', `${formatInt(RATE)} req/s steady (open loop)`, formatInt(steadyRate.raw.requests / SECONDS), ms(steadyRate.raw.p50), ms(steadyRate.raw.p99), ''],
        ['stock read, cache on', `${formatInt(RATE)} req/s steady (open loop)`, formatInt(steadyRate.cached.requests / SECONDS), ms(steadyRate.cached.p50), ms(steadyRate.cached.p99), ''],
        ['stock read, cache off (MySQL)', `${formatInt(uncachedAtRate.rps)} req/s (80 % of its max)`, formatInt(uncachedAtRate.rps), ms(uncachedAtRate.p50), ms(uncachedAtRate.p99), ''],
      ],
    );
    print(`\n${table}\n`);
    print(`goal: cached >= 40 % of raw -> ${formatRatio(summary.ratio)} (${goal.throughput ? 'met' : 'missed'}); p99 < 10 ms at ${goal.judgedAt} -> ${judged.cached.p99} ms (${goal.p99AtRate ? 'met' : 'missed'})`);
    if (!args['no-write']) {
      writeJson(join(__dirname, 'results', 'stock-read.json'), {
        benchmark: 'stock-read',
        scenario: { path: servers.path.replace(servers.store, '{store}'), bytes: servers.bytes, rows: 100, levelsInStore: servers.levels },
        environment: environment(),
        method: {
          tool: `autocannon ${JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')).version}`,
          rounds: ROUNDS,
          secondsPerSlice: SECONDS,
          connections: CONNECTIONS,
          fixedRate: { rate: RATE, connections: RATE_CONNECTIONS, steady: 'open loop, requests due each millisecond, latency from when due, up to 64 connections (undici)' },
          logging: 'the application at LOG_LEVEL=info, one JSON line per request to a file; lines counted per slice',
          processes: 'servers (app + raw route) in one child process, autocannon in the parent',
        },
        rounds,
        fixedRate,
        steadyRate,
        uncached,
        uncachedAtRate,
        summary,
        goal,
      });
    }
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    unlinkSync(LOG_FILE);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
