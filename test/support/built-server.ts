import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
/** Node 24, as every npm script runs it (a bare `node` on this machine is 20). */
export const NODE = join(ROOT, 'node_modules/.bin/node');

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

/**
 * Builds the server the way `npm start` does (`nest build`), into a directory of
 * its own under node_modules/.cache rather than dist/: dist/ is shared with a
 * developer's `npm start` and with the other profile's suite running at the same
 * time. Under node_modules the build resolves its dependencies just as dist/ does.
 */
export async function buildServer(): Promise<{ main: string; remove(): void }> {
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'node_modules/.cache/bloomdesk-build-'));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({ extends: relative(dir, join(ROOT, 'tsconfig.build.json')), compilerOptions: { outDir: './dist', tsBuildInfoFile: './dist/.tsbuildinfo' } }),
  );
  // The CLI takes the tsconfig path relative to the project.
  const build = await run(NODE, [join(ROOT, 'node_modules/.bin/nest'), 'build', '-p', relative(ROOT, tsconfig)]);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  if (build.status !== 0) {
    remove();
    throw new Error(`nest build failed:\n${build.stdout}${build.stderr}`);
  }
  return { main: join(dir, 'dist/main.js'), remove };
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
  output(): { stdout: string; stderr: string };
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
  return { url: banner[1], banner: banner[0].trim(), output: () => ({ ...out }), stop };
}
