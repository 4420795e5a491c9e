// Issue 6's benchmark: a page of 50 employees, 3 sensitive fields each (name, e-mail,
// phone), read through the API with encryption on (Vault transit) and switched off (a
// pass-through provider), in the same run. Goal: the encrypted page costs at most 1.5x
// the plain one.
//
//   npm run bench:encryption [-- --rounds 3 --seconds 5 --connections 10 --no-write]
//   (needs the services: bash scripts/services.sh)
//   npm run bench:encryption -- --openbao-core 1   OpenBao alone on CPU 1, everything else
//   (app, autocannon, MariaDB, Redis) on the other CPUs: Vault as if on a machine of its
//   own; restored afterwards, and results/encryption.json is left alone
//
// The servers run in a child process (encryption.server.ts), autocannon here. Variants,
// rounds interleaved, order rotated each round:
//   plain         one shop's page, encryption off
//   vault         the same page, production (Vault behind the decryption cache): after the
//                 first read every value is a cache hit, so no Vault call at all
//   vault-nocache the same page with no cache: one decrypt call of 149 values a page
//   plain-many    each request another shop's page (150 shops), encryption off
//   vault-many    the same, production: 22,350 values in turn, more than the cache holds
//                 (20,000), so every page misses and costs a decrypt call, as a page nobody
//                 read lately does
// Vault calls per page are counted in the server process, per slice.
import autocannon from 'autocannon';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { EncryptionServers } from './encryption.server';
import { environment, formatInt, formatRatio, markdownTable, print, writeJson } from './lib/report';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
    /** Only these variants (comma-separated), e.g. to profile one. */
    only: { type: 'string' },
    /** Writes a V8 CPU profile of the server process during the measured slices to this file. */
    'cpu-prof': { type: 'string' },
    /** Pins the benchmark's OpenBao to this CPU and every other process it measures to the rest (taskset). */
    'openbao-core': { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const PAGE = 50;
const GOAL = 1.5;

const ALL_VARIANTS = ['plain', 'vault', 'vault-nocache', 'plain-many', 'vault-many'] as const;
type Variant = (typeof ALL_VARIANTS)[number];
const VARIANTS: readonly Variant[] = args.only ? ALL_VARIANTS.filter((v) => args.only!.split(',').includes(v)) : ALL_VARIANTS;
/** Each encrypted variant against the plain variant that reads the same pages. */
const BASELINE: Record<Variant, Variant> = { plain: 'plain', vault: 'plain', 'vault-nocache': 'plain', 'plain-many': 'plain-many', 'vault-many': 'plain-many' };

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** Pages the servers answered during the slice (autocannon counts only those it saw complete). */
  pages: number;
  /** Per page: decrypt requests to Vault, the values they carried, and other Vault requests. */
  decryptCallsPerPage: number;
  decryptItemsPerPage: number;
  otherVaultCallsPerPage: number;
  /** CPU milliseconds per page, by process (MariaDB and Redis also serve whatever else runs on the machine). */
  cpuMsPerPage: Record<Process, number>;
}

const PROCESSES = ['app', 'openbao', 'mariadb', 'redis'] as const;
type Process = (typeof PROCESSES)[number];
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The first process whose command line contains every one of `parts`. */
function findProcess(...parts: string[]): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((p) => cmdline.includes(p))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat, fields 14 and 15). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Sets the CPUs every thread of each process may run on (taskset, util-linux). */
function pin(cpus: string, pids: ReadonlyArray<number | undefined>): void {
  for (const pid of pids) if (pid) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

function startServers(): Promise<{ child: ChildProcess; servers: EncryptionServers }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'encryption.server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    child.once('exit', early);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      child.off('exit', early);
      resolve({ child, servers: JSON.parse(line) as EncryptionServers });
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const { child, servers } = await startServers();
  let restoreAffinity = () => {};
  print(`servers up and seeded in ${Math.round((Date.now() - started) / 1000)} s: ${servers.tokens.vault.length} shops, ${servers.valuesPerPage} sensitive values a page`);
  try {
    const pids: Record<Process, number | undefined> = {
      app: child.pid,
      openbao: findProcess('bao', 'server', `-dev-listen-address=${new URL(servers.vaultAddr).host}`),
      mariadb: findProcess('mariadbd'),
      redis: findProcess('redis-server'),
    };
    const openBaoCore = args['openbao-core'] === undefined ? undefined : Number(args['openbao-core']);
    const allCpus = `0-${availableParallelism() - 1}`;
    const others = [process.pid, pids.app, pids.mariadb, pids.redis];
    if (openBaoCore !== undefined) {
      if (!Number.isInteger(openBaoCore) || openBaoCore < 0 || openBaoCore >= availableParallelism() || availableParallelism() < 2) {
        throw new Error(`--openbao-core must name one of CPUs ${allCpus}, and another must remain`);
      }
      const rest = Array.from({ length: availableParallelism() }, (_, i) => i).filter((i) => i !== openBaoCore);
      pin(String(openBaoCore), [pids.openbao]);
      pin(rest.join(','), others);
      print(`OpenBao on CPU ${openBaoCore} alone; the app, autocannon, MariaDB and Redis on CPU ${rest.join(',')}`);
    }
    restoreAffinity = () => {
      if (openBaoCore !== undefined) pin(allCpus, [pids.mariadb, pids.redis]);
    };
    const cpu = () => Object.fromEntries(PROCESSES.map((p) => [p, cpuSeconds(pids[p])])) as Record<Process, number>;
    const path = `/api/v1/employees?page[size]=${PAGE}`;
    const target: Record<Variant, { url: string; tokens: string[] }> = {
      plain: { url: servers.urls.plain, tokens: servers.tokens.plain.slice(0, 1) },
      vault: { url: servers.urls.vault, tokens: servers.tokens.vault.slice(0, 1) },
      'vault-nocache': { url: servers.urls['vault-nocache'], tokens: servers.tokens.vault.slice(0, 1) },
      'plain-many': { url: servers.urls.plain, tokens: servers.tokens.plain },
      'vault-many': { url: servers.urls.vault, tokens: servers.tokens.vault },
    };
    for (const variant of VARIANTS) {
      const res = await fetch(`${target[variant].url}${path}`, { headers: { authorization: `Bearer ${target[variant].tokens[0]}`, accept: 'application/vnd.api+json' } });
      const page = (await res.json()) as { data: Array<{ attributes: { phone: string | null } }> };
      if (page.data?.length !== PAGE || !page.data.some((e) => e.attributes.phone?.startsWith('+7 916'))) throw new Error(`${variant}: the page does not read back (${res.status})`);
    }

    type Counts = { pages: number; decrypt: { calls: number; items: number }; other: number };
    const control = (what: 'calls' | 'reset') => fetch(`${servers.control}/${what}`, { method: what === 'reset' ? 'POST' : 'GET' }).then((r) => r.json() as Promise<Counts>);
    const load = async (variant: Variant, seconds: number): Promise<Run> => {
      const { url, tokens } = target[variant];
      let next = 0;
      await control('reset');
      const cpuBefore = cpu();
      const result = await autocannon({
        url: `${url}${path}`,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { authorization: `Bearer ${tokens[0]}`, accept: 'application/vnd.api+json' },
        // One shop after the other, in a cycle, across all connections.
        ...(tokens.length > 1 && {
          requests: [{ setupRequest: (req: any) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` } }) }],
        }),
      });
      // Requests still in flight when autocannon stops are answered (and counted) a moment later.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const vault = await control('calls');
      const cpuAfter = cpu();
      if (result.non2xx || result.errors) throw new Error(`${variant}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      const pages = vault.pages;
      return {
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        pages,
        decryptCallsPerPage: vault.decrypt.calls / pages,
        decryptItemsPerPage: vault.decrypt.items / pages,
        otherVaultCallsPerPage: vault.other / pages,
        cpuMsPerPage: Object.fromEntries(PROCESSES.map((p) => [p, ((cpuAfter[p] - cpuBefore[p]) * 1000) / pages])) as Record<Process, number>,
      };
    };

    // Warm-up: JIT, pools, and for `vault` the cache entries of its one page.
    for (const variant of VARIANTS) await load(variant, 2);
    const rounds: Array<Record<Variant, Run>> = [];
    if (args['cpu-prof']) await fetch(`${servers.control}/profile/start`, { method: 'POST' });
    for (let round = 0; round < ROUNDS; round++) {
      const results = {} as Record<Variant, Run>;
      for (const variant of VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length])) results[variant] = await load(variant, SECONDS);
      rounds.push(results);
      print(`round ${round + 1}: ${VARIANTS.map((v) => `${v} ${formatInt(results[v].rps)} req/s`).join(', ')}`);
    }
    if (args['cpu-prof']) await fetch(`${servers.control}/profile/stop?file=${encodeURIComponent(args['cpu-prof'])}`, { method: 'POST' });

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = Object.fromEntries(
      VARIANTS.map((v) => {
        const costs = rounds.map((r) => (r[BASELINE[v]] ? r[BASELINE[v]].rps / r[v].rps : Number.NaN));
        const of = (key: Exclude<keyof Run, 'cpuMsPerPage'>) => median(rounds.map((r) => r[v][key]));
        return [
          v,
          {
            rps: of('rps'),
            p50: of('p50'),
            p99: of('p99'),
            decryptCallsPerPage: of('decryptCallsPerPage'),
            decryptItemsPerPage: of('decryptItemsPerPage'),
            otherVaultCallsPerPage: of('otherVaultCallsPerPage'),
            cpuMsPerPage: Object.fromEntries(PROCESSES.map((p) => [p, median(rounds.map((r) => r[v].cpuMsPerPage[p]))])),
            baseline: BASELINE[v],
            cost: median(costs),
            costRange: [Math.min(...costs), Math.max(...costs)],
            goal: v === BASELINE[v] ? null : median(costs) <= GOAL ? 'met' : 'missed',
          },
        ];
      }),
    ) as Record<Variant, Run & { baseline: Variant; cost: number; costRange: number[]; goal: 'met' | 'missed' | null }>;

    const calls = (n: number) => (n < 0.005 ? '0' : n.toFixed(2));
    const table = markdownTable(
      ['variant', 'pages read', 'req/s (median)', 'p50 ms', 'p99 ms', 'Vault decrypt calls / page', 'values decrypted by Vault / page', 'cost vs', 'cost (median)', 'per-round range', 'goal ≤ 1.5x'],
      VARIANTS.map((v) => {
        const s = summary[v];
        return [
          v,
          v.endsWith('-many') ? `${servers.tokens.vault.length} shops in turn` : 'one shop',
          formatInt(s.rps),
          String(s.p50),
          String(s.p99),
          calls(s.decryptCallsPerPage),
          formatInt(s.decryptItemsPerPage),
          s.baseline,
          formatRatio(s.cost),
          `${formatRatio(s.costRange[0])}–${formatRatio(s.costRange[1])}`,
          s.goal ?? '',
        ];
      }),
    );
    print(`\n${table}\n`);
    const cpuTable = markdownTable(
      ['variant', ...PROCESSES.map((p) => `${p} CPU ms / page`)],
      VARIANTS.map((v) => [v, ...PROCESSES.map((p) => summary[v].cpuMsPerPage[p].toFixed(2))]),
    );
    print(`${cpuTable}\n`);
    for (const v of VARIANTS.filter((x) => summary[x].goal)) print(`goal (at most ${GOAL}x the plain page): ${v} ${formatRatio(summary[v].cost)} vs ${summary[v].baseline}: ${summary[v].goal}`);
    if (!args['no-write'] && VARIANTS.length === ALL_VARIANTS.length && args['openbao-core'] === undefined) {
      writeJson(join(__dirname, 'results', 'encryption.json'), {
        benchmark: 'encryption',
        environment: environment(),
        method: {
          page: PAGE,
          sensitiveValuesPerPage: servers.valuesPerPage,
          shops: servers.tokens.vault.length,
          connections: CONNECTIONS,
          secondsPerSlice: SECONDS,
          rounds: ROUNDS,
          tool: `autocannon ${JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')).version}`,
          processes: 'three app instances in one child process (encryption.server.ts), autocannon in the parent; OpenBao, MariaDB and Redis on the same machine',
        },
        rounds,
        summary,
      });
    }
  } finally {
    restoreAffinity();
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
