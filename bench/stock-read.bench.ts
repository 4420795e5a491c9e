// Issue 5's benchmark: the cached stock read `GET /api/v1/stock-levels?filter[store]=..`
// (100 rows) against a raw Fastify route that answers a fixed copy of the same
// document, in the same run, with autocannon on loopback; then the same read with
// the cache off (MySQL every time).
//
//   npm run bench:stock-data      (once: the data; needs bash scripts/services.sh)
//   npm run bench:stock-read [-- --rounds 3 --seconds 10 --connections 20 --rate 2000]
//   npm run bench:stock-read -- --cpu-prof [--seconds 10]   (only the cached read, its CPU profiled)
//
// Goal: the cached read serves at least 40 % of the raw route's requests per
// second, and holds p99 under 10 ms at 2,000 requests per second. Every answer of
// a cached variant must say `X-Cache: hit` (and none of the uncached one): else
// the run fails, since it would not measure what it says.
//
// With --cpu-prof only the cached read is loaded, with the server process's CPU
// profiled during that slice (the V8 profiler through node:inspector, started and
// stopped by the server); the profile's self time is printed by package and source
// directory (bench/stock-cpu-profile.ts), and nothing is written to results/.
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { environment, formatInt, formatRatio, markdownTable, print, writeJson } from './lib/report';
import { printCpuShares } from './stock-cpu-profile';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    rate: { type: 'string', default: '2000' },
    'no-write': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const CPU_PROFILE = args['cpu-prof'];
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const RATE = Number(args.rate);

interface Servers {
  appUrl: string;
  rawUrl: string;
  memoUrl: string;
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
}

function startServers(): Promise<{ child: ChildProcess; servers: Servers }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'stock-read.server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    child.once('exit', early);
    createInterface({ input: child.stdout! }).once('line', (line) => {
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { child, servers } = await startServers();
  try {
    const app = `${servers.appUrl}${servers.path}`;
    const raw = `${servers.rawUrl}/raw`;
    const headers = { authorization: `Bearer ${servers.token}`, accept: 'application/vnd.api+json' };
    const cache = (enabled: boolean) => fetch(`${servers.rawUrl}/__cache?enabled=${enabled}`, { method: 'POST' });
    /** The run answered every request, and each as `cache` says: 'hit' from the cache, 'none' (no X-Cache) from MySQL or the raw route. */
    const check = (name: string, run: Run, cache: 'hit' | 'none') => {
      if (run.non2xx || run.errors) throw new Error(`${name}: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
      const other = Object.entries(run.cache).filter(([outcome]) => outcome !== cache);
      if (other.length || !run.cache[cache]) throw new Error(`${name}: expected every answer to be X-Cache ${cache}, got ${JSON.stringify(run.cache)}`);
      return run;
    };
    print(`document: ${formatInt(servers.bytes)} bytes, 100 of ${servers.levels} stock levels of one store`);
    // Warm-up: JIT, connection pools, the cache entry.
    await load(raw, headers, { seconds: 2, connections: CONNECTIONS });
    await load(app, headers, { seconds: 2, connections: CONNECTIONS });
    if (CPU_PROFILE) {
      await fetch(`${servers.rawUrl}/__profile/start`, { method: 'POST' });
      const cached = check('cached, profiled', await load(app, headers, { seconds: SECONDS, connections: CONNECTIONS }), 'hit');
      const { path } = (await (await fetch(`${servers.rawUrl}/__profile/stop`, { method: 'POST' })).json()) as { path: string };
      print(`cached read under the profiler: ${formatInt(cached.rps)} req/s, p99 ${cached.p99} ms\n`);
      printCpuShares(path);
      return;
    }

    const memo = `${servers.memoUrl}${servers.path}`;
    await load(memo, headers, { seconds: 2, connections: CONNECTIONS });
    const urls = { raw, cached: app, memo } as const;
    const variants = ['raw', 'cached', 'memo'] as const;
    const expected = { raw: 'none', cached: 'hit', memo: 'hit' } as const;
    const rounds: Array<Record<(typeof variants)[number], Run>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results = {} as Record<(typeof variants)[number], Run>;
      for (const variant of variants.map((_, i) => variants[(i + round) % variants.length])) {
        results[variant] = check(variant, await load(urls[variant], headers, { seconds: SECONDS, connections: CONNECTIONS }), expected[variant]);
      }
      rounds.push(results);
      print(`round ${round + 1}: raw ${formatInt(results.raw.rps)} req/s, cached ${formatInt(results.cached.rps)} req/s (${formatRatio(results.cached.rps / results.raw.rps)}), principal memoized ${formatInt(results.memo.rps)} req/s`);
    }
    const fixedRate = {
      raw: check('raw at rate', await load(raw, headers, { seconds: SECONDS, connections: 50, rate: RATE }), 'none'),
      cached: check('cached at rate', await load(app, headers, { seconds: SECONDS, connections: 50, rate: RATE }), 'hit'),
      memo: check('memoized at rate', await load(memo, headers, { seconds: SECONDS, connections: 50, rate: RATE }), 'hit'),
    };
    print(`at ${RATE} req/s: raw p99 ${fixedRate.raw.p99} ms, cached p99 ${fixedRate.cached.p99} ms`);

    await cache(false);
    await load(app, headers, { seconds: 2, connections: CONNECTIONS });
    const uncached = check('cache off', await load(app, headers, { seconds: SECONDS, connections: CONNECTIONS }), 'none');
    const uncachedAtRate = check('cache off at rate', await load(app, headers, { seconds: SECONDS, connections: 50, rate: Math.min(RATE, Math.floor(uncached.rps * 0.8)) }), 'none');
    await cache(true);
    print(`cache off: ${formatInt(uncached.rps)} req/s, p99 ${uncached.p99} ms`);

    const summary = {
      raw: { rps: median(rounds.map((r) => r.raw.rps)), p50: median(rounds.map((r) => r.raw.p50)), p99: median(rounds.map((r) => r.raw.p99)) },
      cached: { rps: median(rounds.map((r) => r.cached.rps)), p50: median(rounds.map((r) => r.cached.p50)), p99: median(rounds.map((r) => r.cached.p99)) },
      memo: { rps: median(rounds.map((r) => r.memo.rps)), p50: median(rounds.map((r) => r.memo.p50)), p99: median(rounds.map((r) => r.memo.p99)) },
      memoRatio: median(rounds.map((r) => r.memo.rps / r.raw.rps)),
      ratio: median(rounds.map((r) => r.cached.rps / r.raw.rps)),
      ratioRange: [Math.min(...rounds.map((r) => r.cached.rps / r.raw.rps)), Math.max(...rounds.map((r) => r.cached.rps / r.raw.rps))],
    };
    const goal = { throughput: summary.ratio >= 0.4, p99AtRate: fixedRate.cached.p99 < 10 && fixedRate.cached.rps >= RATE * 0.95 };
    const ms = (n: number) => String(n);
    const table = markdownTable(
      ['variant', 'load', 'req/s', 'p50 ms', 'p99 ms', 'vs raw'],
      [
        ['raw Fastify route, fixed document', `${CONNECTIONS} connections, max`, formatInt(summary.raw.rps), ms(summary.raw.p50), ms(summary.raw.p99), '1.00x'],
        ['stock read, cache on', `${CONNECTIONS} connections, max`, formatInt(summary.cached.rps), ms(summary.cached.p50), ms(summary.cached.p99), formatRatio(summary.ratio)],
        ['stock read, cache off (MySQL)', `${CONNECTIONS} connections, max`, formatInt(uncached.rps), ms(uncached.p50), ms(uncached.p99), formatRatio(uncached.rps / summary.raw.rps)],
        ['diagnosis: cache on, principal memoized', `${CONNECTIONS} connections, max`, formatInt(summary.memo.rps), ms(summary.memo.p50), ms(summary.memo.p99), formatRatio(summary.memoRatio)],
        ['raw Fastify route, fixed document', `${formatInt(RATE)} req/s`, formatInt(fixedRate.raw.rps), ms(fixedRate.raw.p50), ms(fixedRate.raw.p99), ''],
        ['stock read, cache on', `${formatInt(RATE)} req/s`, formatInt(fixedRate.cached.rps), ms(fixedRate.cached.p50), ms(fixedRate.cached.p99), ''],
        ['diagnosis: cache on, principal memoized', `${formatInt(RATE)} req/s`, formatInt(fixedRate.memo.rps), ms(fixedRate.memo.p50), ms(fixedRate.memo.p99), ''],
        ['stock read, cache off (MySQL)', `${formatInt(uncachedAtRate.rps)} req/s (80 % of its max)`, formatInt(uncachedAtRate.rps), ms(uncachedAtRate.p50), ms(uncachedAtRate.p99), ''],
      ],
    );
    print(`\n${table}\n`);
    print(`goal: cached >= 40 % of raw -> ${formatRatio(summary.ratio)} (${goal.throughput ? 'met' : 'missed'}); p99 < 10 ms at ${RATE} req/s -> ${fixedRate.cached.p99} ms (${goal.p99AtRate ? 'met' : 'missed'})`);
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
          fixedRate: { rate: RATE, connections: 50 },
          processes: 'servers (app + raw route) in one child process, autocannon in the parent',
        },
        rounds,
        fixedRate,
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
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
