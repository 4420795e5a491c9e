import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type UninitialisedOpenBao, startOpenBao } from '../support/own-openbao';

// docker/vault/init.sh and operator.sh run as the operator runs them (POSIX sh,
// BAO_ADDR and BAO_BIN instead of the compose network and the image's bao),
// against fresh OpenBao servers of this suite's own: raft storage, not dev mode,
// uninitialised until init.sh initialises them. Never the shared dev server.
// test/static/docker.spec.ts reads the same scripts; this runs them.

const ROOT = resolve(__dirname, '../..');
const INIT = join(ROOT, 'docker/vault/init.sh');
const OPERATOR = join(ROOT, 'docker/vault/operator.sh');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A script running in the background, whose output the test can wait on. */
interface Running {
  child: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  finished: Promise<Finished>;
}

/**
 * Only what the scripts need: no BAO_TOKEN or VAULT_TOKEN of the caller's. TMPDIR
 * points into the server's directory, so a temporary file the scripts or bao made
 * would be found by the "no secret in a file" check.
 */
function scriptEnv(bao: UninitialisedOpenBao, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C', TMPDIR: join(bao.dir, 'tmp'), BAO_BIN: bao.bin, BAO_ADDR: bao.addr, ...extra };
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe' = 'ignore'): Running {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((done) => child.once('close', (code) => done({ code, stdout, stderr })));
  const waitForOutput = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((done, fail) => {
      const check = () => {
        const match = stdout.match(pattern);
        if (!match) return;
        listeners.delete(check);
        clearTimeout(timer);
        done(match);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        fail(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, output: () => stdout, waitForOutput, finished };
}

/** `sh init.sh ARGS` with stdin from /dev/null and no terminal, as `docker compose run -T` would. */
function runInit(bao: UninitialisedOpenBao, args: string[] = [], extra: Record<string, string> = {}): Running {
  return start('sh', [INIT, ...args], scriptEnv(bao, extra));
}

/**
 * `sh operator.sh ARGS` in a pseudo-terminal (util-linux `script`), answering each
 * hidden prompt in turn once it shows. Output of a terminal: lines end in \r\n,
 * and anything echoed would appear in it.
 */
async function runOperator(bao: UninitialisedOpenBao, args: string[], answers: string[]): Promise<Finished> {
  const env = scriptEnv(bao, { SHELL: '/bin/sh', ...(bao.breakGlassAddr ? { BREAK_GLASS_ADDR: bao.breakGlassAddr } : {}) });
  const running = start('script', ['-qec', ['sh', OPERATOR, ...args].join(' '), '/dev/null'], env, 'pipe');
  for (const [index, answer] of answers.entries()) {
    await running.waitForOutput(new RegExp(`(?:\\(hidden\\): [^]*){${index + 1}}`));
    running.child.stdin!.write(`${answer}\n`);
  }
  // stdin stays open until the script is done: an end of input would end the terminal session.
  const result = await running.finished;
  running.child.stdin!.end();
  return { ...result, stdout: result.stdout.replace(/\r\n/g, '\n') };
}

async function sealStatus(bao: UninitialisedOpenBao) {
  const { status, body } = await bao.call('GET', 'sys/seal-status');
  expect(status).toBe(200);
  return body as { initialized: boolean; sealed: boolean; n: number; t: number; progress: number };
}

const unsealWith = async (bao: UninitialisedOpenBao, key: string) => (await bao.call('PUT', 'sys/unseal', { body: { key } })).body;

async function active(bao: UninitialisedOpenBao): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await bao.call('GET', 'sys/health')).status !== 200) {
    if (Date.now() > deadline) throw new Error('the server did not become active');
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** `Holder N: ...` or, with PGP keys, `Holder N (file): ...`, for N = 1..3. */
const printedShares = (stdout: string): string[] =>
  [1, 2, 3].map((n) => stdout.match(new RegExp(`^Holder ${n}(?: \\([^)]*\\))?: (\\S+)$`, 'm'))?.[1] ?? '');
const printedRootToken = (stdout: string) => stdout.match(/^Initial root token.*\n {2}(\S+)$/m)?.[1] ?? '';
const printedCredentials = (stdout: string) => ({
  roleId: stdout.match(/^VAULT_ROLE_ID=(\S+)$/m)?.[1] ?? '',
  secretId: stdout.match(/^VAULT_SECRET_ID=(\S+)$/m)?.[1] ?? '',
});

/** Logs in as the app does and encrypts with the PII key for a tenant: the ciphertext. */
async function encryptAsApp(bao: UninitialisedOpenBao, credentials: { roleId: string; secretId: string }): Promise<string> {
  const login = await bao.call('POST', 'auth/approle/login', { body: { role_id: credentials.roleId, secret_id: credentials.secretId } });
  expect(login.status).toBe(200);
  expect(login.body.auth.policies).toContain('bloomdesk-app');
  const token = login.body.auth.client_token as string;
  const context = Buffer.from('tenant-1').toString('base64');
  const encrypted = await bao.call('POST', 'transit/encrypt/bloomdesk-pii', { token, body: { plaintext: Buffer.from('+7 916 000 00 00').toString('base64'), context } });
  expect(encrypted.status).toBe(200);
  const decrypted = await bao.call('POST', 'transit/decrypt/bloomdesk-pii', { token, body: { ciphertext: encrypted.body.data.ciphertext, context } });
  expect(Buffer.from(decrypted.body.data.plaintext, 'base64').toString()).toBe('+7 916 000 00 00');
  return encrypted.body.data.ciphertext as string;
}

/** Files under DIR (minus the SKIPPED paths) whose bytes contain one of SECRETS, as "file: secret #i". */
function filesHolding(dir: string, skipped: string[], secrets: string[]): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (skipped.some((skip) => path === skip || path.startsWith(`${skip}/`))) continue;
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue; // gone meanwhile (a socket, a temp file of another suite)
    }
    if (!stat.isFile()) continue;
    const content = readFileSync(path);
    secrets.forEach((secret, i) => content.includes(secret) && hits.push(`${relative(dir, path)}: secret #${i}`));
  }
  return hits;
}

describe('docker/vault/init.sh without PGP keys, then operator.sh (own OpenBao, raft, started uninitialised)', () => {
  let bao: UninitialisedOpenBao;
  let first: Finished;
  let shares: string[];
  let rootToken: string;
  let credentials: { roleId: string; secretId: string };

  beforeAll(async () => {
    bao = await startOpenBao({ persistent: true, initialise: false, breakGlass: true });
    mkdirSync(join(bao.dir, 'tmp'));
  }, 30_000);

  afterAll(async () => {
    await bao?.close();
  });

  it('starts from a server that is not initialised', async () => {
    expect(await sealStatus(bao)).toMatchObject({ initialized: false, sealed: true });
  });

  it('initialises with 3 shares, threshold 2, unseals and configures, with no terminal and no argument', async () => {
    first = await runInit(bao).finished;
    expect([first.code, first.stderr]).toEqual([0, '']);
    shares = printedShares(first.stdout);
    rootToken = printedRootToken(first.stdout);
    credentials = printedCredentials(first.stdout);

    expect(await sealStatus(bao)).toMatchObject({ initialized: true, sealed: false, n: 3, t: 2 });
    // Three distinct shares, each the base64 of a 33-byte Shamir share.
    expect(new Set(shares).size).toBe(3);
    for (const share of shares) expect(Buffer.from(share, 'base64')).toHaveLength(33);
    expect(rootToken).toMatch(/^s\.\w+$/);
    // Without a terminal nobody was asked: the root token is left for the operator to revoke.
    expect(first.stdout).toContain('Revoke the root token as soon as you are done with it');
    expect((await bao.call('GET', 'auth/token/lookup-self', { token: rootToken })).body.data.policies).toEqual(['root']);
  });

  it('leaves the configuration of configure.sh: transit with disable_upsert, both keys, KV v2, policies, the AppRole role', async () => {
    const read = async (path: string) => {
      const { status, body } = await bao.call('GET', path, { token: rootToken });
      expect([path, status]).toEqual([path, 200]);
      return body.data;
    };
    expect(await read('transit/config/keys')).toMatchObject({ disable_upsert: true });
    expect(await read('transit/keys/bloomdesk-pii')).toMatchObject({ type: 'aes256-gcm96', derived: true, latest_version: 1 });
    expect(await read('transit/keys/bloomdesk-blind-index')).toMatchObject({ type: 'aes256-gcm96', derived: false, latest_version: 1 });
    expect(await read('sys/mounts/secret')).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(await read('auth/approle/role/bloomdesk-app')).toMatchObject({ token_policies: ['bloomdesk-app'], token_ttl: 3600, token_max_ttl: 86400, secret_id_ttl: 0 });
    for (const policy of ['bloomdesk-app', 'bloomdesk-rotator']) {
      expect((await read(`sys/policies/acl/${policy}`)).policy).toBe(readFileSync(join(ROOT, `docker/vault/${policy}.hcl`), 'utf8'));
    }
  });

  it('prints AppRole credentials with which the app logs in and encrypts with bloomdesk-pii', async () => {
    expect(credentials.roleId).toMatch(/^[0-9a-f-]{36}$/);
    expect(credentials.secretId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await encryptAsApp(bao, credentials)).toMatch(/^vault:v1:/);
  });

  it('writes the shares and the root token to no file, neither in the repository nor beside the server (its raft storage aside)', () => {
    const secrets = [...shares, rootToken];
    // The check can find them: the raft storage holds the root token (hashed, so not
    // its text) but the server's own log would show one if it ever logged it.
    expect(readdirSync(bao.dir).sort()).toEqual(['config.hcl', 'raft', 'server.log', 'tmp']);
    expect(filesHolding(bao.dir, [bao.storageDir], secrets)).toEqual([]);
    expect(filesHolding(ROOT, [join(ROOT, 'node_modules'), join(ROOT, '.git')], secrets)).toEqual([]);
  });

  it('refuses to initialise again on a second run, and changes nothing without a token', async () => {
    const before = await snapshot();
    const second = await runInit(bao).finished;
    expect([second.code, second.stderr]).toEqual([0, '']);
    expect(second.stdout).toContain('is already initialised: it will not be initialised again');
    expect(second.stdout).toContain('Nothing else done');
    expect(second.stdout).not.toMatch(/Holder|VAULT_SECRET_ID|root token \(/);
    expect(await snapshot()).toEqual(before);
    // Still the same server: the first run's shares and root token are the valid ones.
    expect((await bao.call('GET', 'auth/token/lookup-self', { token: rootToken })).status).toBe(200);
  });

  it('on an initialised server given a token, re-applies the configuration (nothing to change) and issues a new secret id', async () => {
    const before = await snapshot();
    const again = await runInit(bao, [], { BAO_TOKEN: rootToken }).finished;
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toContain('Bloomdesk configuration: already configured');
    const renewed = printedCredentials(again.stdout);
    expect(renewed.roleId).toBe(credentials.roleId);
    expect(renewed.secretId).not.toBe(credentials.secretId);
    expect(await encryptAsApp(bao, renewed)).toMatch(/^vault:v1:/);
    const after = await snapshot();
    expect(after.secretIds).toHaveLength(before.secretIds.length + 1);
    expect({ ...after, secretIds: [] }).toEqual({ ...before, secretIds: [] });
  });

  /** What a second run must not change: the seal, the keys, the role, the secret ids. */
  async function snapshot() {
    const read = async (path: string, method = 'GET') => (await bao.call(method, path, { token: rootToken })).body.data;
    return {
      seal: await sealStatus(bao),
      pii: await read('transit/keys/bloomdesk-pii'),
      blindIndex: await read('transit/keys/bloomdesk-blind-index'),
      role: await read('auth/approle/role/bloomdesk-app'),
      roleId: (await read('auth/approle/role/bloomdesk-app/role-id')).role_id,
      secretIds: ((await read('auth/approle/role/bloomdesk-app/secret-id', 'LIST')).keys as string[]).sort(),
    };
  }

  describe('operator.sh (in a pseudo-terminal: it reads secrets only from a terminal)', () => {
    let generatedRoot: string;

    it('refuses to run without a terminal', async () => {
      const result = await start('sh', [OPERATOR, 'revoke-token'], scriptEnv(bao)).finished;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('run this in a terminal');
    });

    it('generate-root: two shares typed at hidden prompts make a new root token, through the break-glass listener only', async () => {
      // The API listener keeps OpenBao's default: no unauthenticated generate-root.
      expect((await bao.call('GET', 'sys/generate-root/attempt')).status).toBeGreaterThanOrEqual(400);

      const result = await runOperator(bao, ['generate-root'], [shares[2], shares[0]]);
      expect(result.code).toBe(0);
      generatedRoot = result.stdout.match(/^New root token: (\S+)$/m)?.[1] ?? '';
      expect(generatedRoot).toMatch(/^s\.\w+$/);
      expect(generatedRoot).not.toBe(rootToken);
      // Hidden: the typed shares never appear on the terminal.
      for (const share of shares) expect(result.stdout).not.toContain(share);
      expect((await bao.call('GET', 'auth/token/lookup-self', { token: generatedRoot })).body.data.policies).toEqual(['root']);
      // Nothing left in progress for the next ceremony.
      const attempt = await fetch(`${bao.breakGlassAddr}/v1/sys/generate-root/attempt`);
      expect(((await attempt.json()) as { started: boolean }).started).toBe(false);
    });

    it('revoke-token: the token typed at the hidden prompt no longer works', async () => {
      for (const token of [generatedRoot, rootToken]) {
        const result = await runOperator(bao, ['revoke-token'], [token]);
        expect([result.code, result.stdout.trim().split('\n').pop()]).toEqual([0, 'Token revoked.']);
        expect(result.stdout).not.toContain(token);
        expect((await bao.call('GET', 'auth/token/lookup-self', { token })).status).toBe(403);
      }
      // The app is not affected: its credentials still log in.
      expect(await encryptAsApp(bao, credentials)).toMatch(/^vault:v1:/);
    });
  });

  describe('after a restart', () => {
    beforeAll(async () => {
      await bao.kill();
      await bao.start();
    }, 30_000);

    it('is sealed, and init.sh neither initialises it again nor gets past the seal', async () => {
      expect(await sealStatus(bao)).toMatchObject({ initialized: true, sealed: true, n: 3, t: 2 });
      const result = await runInit(bao).finished;
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('already initialised');
      expect(result.stdout).toContain('It is sealed');
      expect(await sealStatus(bao)).toMatchObject({ initialized: true, sealed: true, progress: 0 });
    });

    it('one share does not unseal it; a second one does, and the app works again with its credentials', async () => {
      expect(await unsealWith(bao, shares[2])).toMatchObject({ sealed: true, progress: 1 });
      expect(await sealStatus(bao)).toMatchObject({ sealed: true });
      expect(await unsealWith(bao, shares[1])).toMatchObject({ sealed: false });
      await active(bao);
      expect(await encryptAsApp(bao, credentials)).toMatch(/^vault:v1:/);
    });
  });
});

describe('docker/vault/init.sh with three PGP public keys (own OpenBao, raft, started uninitialised)', () => {
  let bao: UninitialisedOpenBao;
  let gnupgHome: string;
  let keyFiles: string[];
  let encrypted: string[];
  let decrypted: string[];
  let rootToken: string;

  const gpg = (args: string[], input?: string) => {
    const result = spawnSync('gpg', ['--batch', ...args], { env: { ...process.env, GNUPGHOME: gnupgHome }, input, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    const starting = startOpenBao({ persistent: true, initialise: false });
    gnupgHome = mkdtempSync(join(tmpdir(), 'bloomdesk-gpg-'));
    keyFiles = [1, 2, 3].map((n) => {
      gpg(['--passphrase', '', '--quick-gen-key', `Holder ${n} <holder${n}@example.test>`, 'future-default', 'default', 'never']);
      const file = join(gnupgHome, `holder${n}.asc`);
      writeFileSync(file, gpg(['--armor', '--export', `holder${n}@example.test`]));
      return file;
    });
    bao = await starting;
    mkdirSync(join(bao.dir, 'tmp'));
  }, 30_000);

  afterAll(async () => {
    if (gnupgHome) {
      spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupgHome } });
      rmSync(gnupgHome, { recursive: true, force: true });
    }
    await bao?.close();
  });

  it('prints each share encrypted to its holder, waits for two holders to unseal, then configures', async () => {
    const running = runInit(bao, keyFiles, { UNSEAL_WAIT_SECONDS: '60' });
    await running.waitForOutput(/Waiting up to 1 minutes for the server to be unsealed/);
    encrypted = printedShares(running.output());
    expect(new Set(encrypted).size).toBe(3);
    expect(running.output()).toMatch(/^Holder 1 \(holder1\.asc\): /m);

    // As docker/README.md tells each holder: base64 -d | gpg --decrypt.
    decrypted = encrypted.map((share) => spawnSync('sh', ['-c', 'base64 -d | gpg --batch --quiet --decrypt'], { input: share, env: { ...process.env, GNUPGHOME: gnupgHome }, encoding: 'utf8' }).stdout);
    expect(new Set(decrypted).size).toBe(3);
    for (const share of decrypted) {
      expect(share).toMatch(/^[0-9a-f]{66}$/); // the 33-byte share, in hex
      expect(running.output()).not.toContain(share);
      expect(running.output()).not.toContain(Buffer.from(share, 'hex').toString('base64'));
    }

    expect(await unsealWith(bao, decrypted[0])).toMatchObject({ sealed: true, progress: 1 });
    expect(await unsealWith(bao, decrypted[1])).toMatchObject({ sealed: false });
    const result = await running.finished;
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('Unsealed.');
    expect(await sealStatus(bao)).toMatchObject({ initialized: true, sealed: false, n: 3, t: 2 });
    expect(await encryptAsApp(bao, printedCredentials(result.stdout))).toMatch(/^vault:v1:/);
    rootToken = printedRootToken(result.stdout);
    expect(filesHolding(bao.dir, [bao.storageDir], [...decrypted, rootToken])).toEqual([]);
  });

  it('after a restart, two decrypted shares unseal it and one does not', async () => {
    await bao.kill();
    await bao.start();
    expect(await sealStatus(bao)).toMatchObject({ initialized: true, sealed: true });
    // The encrypted form is no share: OpenBao refuses it.
    expect((await bao.call('PUT', 'sys/unseal', { body: { key: encrypted[2] } })).status).toBe(400);
    expect(await unsealWith(bao, decrypted[2])).toMatchObject({ sealed: true, progress: 1 });
    expect(await unsealWith(bao, decrypted[0])).toMatchObject({ sealed: false });
    await active(bao);
  });

  it('operator.sh rotate-keys: a root token and two current shares give three new shares; after a restart the old ones are void', async () => {
    const result = await runOperator(bao, ['rotate-keys'], [rootToken, decrypted[1], decrypted[2]]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The old shares are void from now on');
    const rotated = printedShares(result.stdout);
    expect(new Set(rotated).size).toBe(3);
    for (const share of rotated) expect(decrypted.map((old) => Buffer.from(old, 'hex').toString('base64'))).not.toContain(share);
    for (const secret of [rootToken, ...decrypted]) expect(result.stdout).not.toContain(secret);
    expect(await sealStatus(bao)).toMatchObject({ sealed: false, n: 3, t: 2 });

    await bao.kill();
    await bao.start();
    expect(await unsealWith(bao, decrypted[0])).toMatchObject({ sealed: true, progress: 1 });
    const refused = await bao.call('PUT', 'sys/unseal', { body: { key: decrypted[1] } });
    expect(refused.status).toBe(400);
    expect(await sealStatus(bao)).toMatchObject({ sealed: true });
    expect(await unsealWith(bao, rotated[2])).toMatchObject({ sealed: true, progress: 1 });
    expect(await unsealWith(bao, rotated[0])).toMatchObject({ sealed: false });
  });
});
