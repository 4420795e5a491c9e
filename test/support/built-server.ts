import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
/** Node 24, as every npm script runs it (a bare `node` on this machine is 20). */
const NODE = join(ROOT, 'node_modules/.bin/node');

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { out: { stdout: string; stderr: string }; exited: Promise<Finished> } {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => (out.stdout += String(chunk)));
  child.stderr?.on('data', (chunk) => (out.stderr += String(chunk)));
  const exited = new Promise<Finished>((done, fail) => {
    child.on('error', fail);
    child.on('close', (status, signal) => done({ status, signal, ...out }));
  });
  return { out, exited };
}

/** Runs a command to its end, killing it past the deadline. */
export async function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Finished> {
  const child = spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  try {
    return await collect(child).exited;
  } finally {
    clearTimeout(timer);
  }
}

const CACHE = join(ROOT, 'node_modules/.cache');
const BUILD_PREFIX = 'bloomdesk-build-';

/** What a build is made of: every source file and the configuration that compiles it. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const add = (path: string) => hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else add(join(dir, entry.name));
    }
  };
  walk(join(ROOT, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json']) add(join(ROOT, file));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the server the way `npm start` does (`nest build`) and returns its
 * main.js. The build goes to node_modules/.cache, not dist/ (shared with a
 * developer's `npm start`), where it resolves its dependencies just as dist/ does;
 * it is kept by a hash of the sources, so the other profile's suite, and the next
 * run on unchanged sources, start it without building again.
 */
export async function buildServer(): Promise<string> {
  const built = join(CACHE, `${BUILD_PREFIX}${sourceHash()}`);
  const main = join(built, 'dist/main.js');
  if (existsSync(main)) return main;
  mkdirSync(CACHE, { recursive: true });
  const dir = mkdtempSync(join(CACHE, 'bloomdesk-building-'));
  try {
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({ extends: relative(dir, join(ROOT, 'tsconfig.build.json')), compilerOptions: { outDir: './dist', tsBuildInfoFile: './dist/.tsbuildinfo' } }),
    );
    // The CLI takes the tsconfig path relative to the project.
    const build = await run(NODE, [join(ROOT, 'node_modules/.bin/nest'), 'build', '-p', relative(ROOT, tsconfig)]);
    if (build.status !== 0) throw new Error(`nest build failed:\n${build.stdout}${build.stderr}`);
    for (const old of readdirSync(CACHE)) if (old.startsWith(BUILD_PREFIX) && join(CACHE, old) !== built) rmSync(join(CACHE, old), { recursive: true, force: true });
    // Same depth as `dir`, so the tsconfig's relative `extends` still holds. Fails only if a suite running alongside built the same sources first.
    try {
      renameSync(dir, built);
    } catch {
      /* theirs is as good */
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return main;
}

/** The environment a server process gets: exactly these variables (and PATH), nothing of the test runner's. */
const serverEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, ...env });

/** Runs the built server until it exits by itself (a start that must fail). */
export const runServer = (main: string, env: Record<string, string>): Promise<Finished> => run(NODE, [main], { env: serverEnv(env), timeoutMs: 60_000 });

export interface ServerProcess {
  /** Where the banner says it serves. */
  url: string;
  /** The banner, as printed. */
  banner: string;
  /** SIGTERM, as a terminal's Ctrl-C or a container stop; resolves when it has exited. */
  stop(): Promise<Finished>;
}

/** The banner: its first line, the lines after it, and the empty line that ends it (main.ts prints it in one write). */
const BANNER = /\nBloomdesk is serving at (http:\/\/\S+) \(profile: \w+\)\n(?:.+\n)*\n/;

/** Starts the built server and resolves once it has printed its banner; rejects with its output if it exits first. */
export async function startServer(main: string, env: Record<string, string>, timeoutMs = 45_000): Promise<ServerProcess> {
  const child = spawn(NODE, [main], { cwd: ROOT, env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const { out, exited } = collect(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  };
  const banner = await new Promise<RegExpExecArray>((found, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner within ${timeoutMs} ms:\n${out.stdout}${out.stderr}`)), timeoutMs);
    const look = () => {
      const match = BANNER.exec(out.stdout);
      if (match) {
        clearTimeout(timer);
        found(match);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((end) => {
      clearTimeout(timer);
      fail(new Error(`the server exited (${end.status ?? end.signal}) before its banner:\n${end.stdout}${end.stderr}`));
    }, fail);
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: banner[1], banner: banner[0].trim(), stop };
}
