import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { VaultConfig } from '../../config/app-config';
import { SecretsError, SecretsErrorCode } from './secrets.errors';
import { TRANSIT_CHUNK_SIZE, VaultTransitClient } from './vault-transit.client';
import type { VaultTokenSource } from './vault-token-source';

interface Seen {
  method: string;
  url: string;
  token?: string;
  body: { batch_input?: Record<string, string>[] };
}
type Reply = { status: number; body: unknown; delayMs?: number } | 'hang' | 'drop';

const TOKEN = 'hvs.unit-test-token-0123456789';

/** A fake Vault on a random port; `reply` decides each answer. */
class FakeVault {
  readonly seen: Seen[] = [];
  /** TCP connections accepted: keep-alive means few, however many calls. */
  connections = 0;
  reply: (req: Seen) => Reply = () => ({ status: 500, body: {} });
  private server!: Server;
  addr!: string;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const seen: Seen = {
          method: req.method!,
          url: req.url!,
          token: req.headers['x-vault-token'] as string | undefined,
          body: raw ? JSON.parse(raw) : {},
        };
        this.seen.push(seen);
        const reply = this.reply(seen);
        if (reply === 'hang') return;
        if (reply === 'drop') return req.socket.destroy();
        const send = () => {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply.body));
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.addr = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Answers like transit: ciphertext = "vault:v1:" + plaintext, so order is checkable. */
function echoTransit(req: Seen): Reply {
  const items = req.body.batch_input ?? [];
  if (req.url.includes('/encrypt/')) return ok(items.map((i) => ({ ciphertext: `vault:v1:${i.plaintext}`, key_version: 1 })));
  if (req.url.includes('/decrypt/')) return ok(items.map((i) => ({ plaintext: i.ciphertext.slice(9) })));
  if (req.url.includes('/hmac/')) return ok(items.map((i) => ({ hmac: `vault:v1:h-${i.input}` })));
  return { status: 404, body: { errors: ['no handler for route'] } };
}

/** A port that was free a moment ago, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ok = (batch_results: unknown[]): Reply => ({ status: 200, body: { data: { batch_results } } });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe(VaultTransitClient.name, () => {
  const vault = new FakeVault();
  let tokens: jest.Mocked<VaultTokenSource>;
  let sut: VaultTransitClient;

  beforeAll(() => vault.start());
  afterAll(() => vault.stop());

  beforeEach(() => {
    vault.seen.length = 0;
    vault.connections = 0;
    vault.reply = echoTransit;
    tokens = { token: jest.fn().mockResolvedValue(TOKEN), recoverFromDenied: jest.fn().mockResolvedValue(false) };
    const config = { addr: vault.addr, transitMount: 'transit', timeoutMs: 300 } as VaultConfig;
    sut = new VaultTransitClient(config, tokens, { retryDelaysMs: [10, 30] });
  });

  it('splits 450 items into chunks of 200 and keeps their order', async () => {
    const items = Array.from({ length: 450 }, (_, i) => ({ plaintext: b64(`v${i}`), context: b64('t') }));
    const result = await sut.encrypt('bloomdesk-pii', items);
    expect(result).toEqual(items.map((i) => `vault:v1:${i.plaintext}`));
    expect(vault.seen.map((r) => r.body.batch_input!.length)).toEqual([200, 200, 50]);
    expect(vault.seen.every((r) => r.method === 'POST' && r.url === '/v1/transit/encrypt/bloomdesk-pii')).toBe(true);
    expect(vault.seen.every((r) => r.token === TOKEN)).toBe(true);
  });

  it('makes no call for an empty batch', async () => {
    await expect(sut.decrypt('k', [])).resolves.toEqual([]);
    expect(vault.seen).toHaveLength(0);
  });

  it('posts HMAC inputs to hmac/<key>/sha2-256 as batch_input', async () => {
    await expect(sut.hmac('bloomdesk-blind-index', [b64('a'), b64('b')])).resolves.toEqual([
      `vault:v1:h-${b64('a')}`,
      `vault:v1:h-${b64('b')}`,
    ]);
    expect(vault.seen[0]).toMatchObject({ url: '/v1/transit/hmac/bloomdesk-blind-index/sha2-256', body: { batch_input: [{ input: b64('a') }, { input: b64('b') }] } });
  });

  it('maps a per-item decrypt error (HTTP 400 with batch_results) to CiphertextInvalid with its index in the whole batch', async () => {
    vault.reply = (req) => {
      if (!req.body.batch_input!.some((i) => i.ciphertext === 'vault:v1:bad')) return echoTransit(req);
      return {
        status: 400,
        body: { data: { batch_results: req.body.batch_input!.map((i) => (i.ciphertext === 'vault:v1:bad' ? { plaintext: '', error: 'cipher: message authentication failed' } : { plaintext: 'x' })) } },
      };
    };
    const items = Array.from({ length: 300 }, (_, i) => ({ ciphertext: i === 237 ? 'vault:v1:bad' : `vault:v1:${i}`, context: b64('t') }));
    const error: unknown = await sut.decrypt('bloomdesk-pii', items).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsError);
    expect(error).toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      meta: { index: 237, reason: 'cipher: message authentication failed' },
    });
    expect(JSON.stringify(error)).not.toContain('vault:v1:bad');
  });

  it('treats a per-item hmac error (HTTP 200) as a bug naming the index', async () => {
    vault.reply = () => ok([{ hmac: 'vault:v1:x' }, { error: 'unable to decode input as base64' }]);
    await expect(sut.hmac('k', ['a', '!!'])).rejects.toThrow('Vault transit hmac refused item 1: unable to decode input as base64');
  });

  it('retries a 503 and succeeds', async () => {
    let calls = 0;
    vault.reply = (req) => (++calls < 3 ? { status: 503, body: { errors: ['Vault is sealed'] } } : echoTransit(req));
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).resolves.toEqual(['vault:v1:cA==']);
    expect(vault.seen).toHaveLength(3);
  });

  it('gives up after two retries with Unavailable', async () => {
    vault.reply = () => ({ status: 503, body: { errors: ['Vault is sealed'] } });
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).rejects.toMatchObject({
      code: SecretsErrorCode.Unavailable,
      message: 'Vault transit encrypt failed: HTTP 503: Vault is sealed after 3 attempts.',
      meta: { status: 503 },
    });
    expect(vault.seen).toHaveLength(3);
  });

  it('never retries a 4xx', async () => {
    vault.reply = () => ({ status: 400, body: { errors: ['encryption key not found'] } });
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).rejects.toMatchObject({
      code: SecretsErrorCode.Unavailable,
      meta: { status: 400 },
    });
    expect(vault.seen).toHaveLength(1);
  });

  it('turns a timeout into Unavailable without retrying', async () => {
    vault.reply = () => 'hang';
    const started = Date.now();
    await expect(sut.decrypt('k', [{ ciphertext: 'vault:v1:x', context: 'dA==' }])).rejects.toMatchObject({
      code: SecretsErrorCode.Unavailable,
      message: 'Vault transit decrypt timed out after 300 ms.',
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(vault.seen).toHaveLength(1);
  });

  it('keeps one deadline across retries: a Vault answering 503 slowly costs the timeout, not three of them', async () => {
    vault.reply = () => ({ status: 503, body: { errors: ['Vault is sealed'] }, delayMs: 120 });
    const started = Date.now();
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).rejects.toMatchObject({ code: SecretsErrorCode.Unavailable });
    const elapsed = Date.now() - started;
    // Per attempt: 3 x 120 ms + the pauses between them, over 400 ms; one budget: at most the 300 ms timeout.
    expect(elapsed).toBeLessThan(300 + 60);
    expect(vault.seen.length).toBeGreaterThanOrEqual(2);
  });

  it('shares the deadline among the chunks of one call', async () => {
    // 5 chunks, 4 at a time: the fifth starts only after the first four, 200 ms each, and must not get a budget of its own.
    vault.reply = (req) => ({ ...(echoTransit(req) as { status: number; body: unknown }), delayMs: 200 });
    const items = Array.from({ length: 5 * TRANSIT_CHUNK_SIZE }, () => ({ plaintext: 'cA==' }));
    const started = Date.now();
    await expect(sut.encrypt('k', items)).rejects.toMatchObject({ code: SecretsErrorCode.Unavailable, message: 'Vault transit encrypt timed out after 300 ms.' });
    expect(Date.now() - started).toBeLessThan(300 + 60);
  });

  it('counts a login that Vault does not answer against the same deadline', async () => {
    tokens.token.mockReturnValue(new Promise(() => undefined));
    const started = Date.now();
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).rejects.toMatchObject({ code: SecretsErrorCode.Unavailable, message: 'Vault transit encrypt timed out waiting for a token.' });
    expect(Date.now() - started).toBeLessThan(300 + 60);
    expect(vault.seen).toHaveLength(0);
  });

  it('reuses kept-alive connections: 20 calls in a row open at most 2 (one while the first is handed back)', async () => {
    for (let i = 0; i < 20; i++) await sut.encrypt('k', [{ plaintext: 'cA==' }]);
    expect(vault.seen).toHaveLength(20);
    expect(vault.connections).toBeLessThanOrEqual(2);
  });

  it('opens no more connections than its pool allows, however many calls run at once', async () => {
    const bounded = new VaultTransitClient({ addr: vault.addr, transitMount: 'transit', timeoutMs: 2000 } as VaultConfig, tokens, { connections: 3 });
    vault.reply = (req) => ({ ...(echoTransit(req) as { status: number; body: unknown }), delayMs: 20 });
    await Promise.all(Array.from({ length: 12 }, () => bounded.encrypt('k', [{ plaintext: 'cA==' }])));
    expect(vault.seen).toHaveLength(12);
    expect(vault.connections).toBe(3);
    await bounded.onModuleDestroy();
  });

  it('retries a dropped connection, then reports Unavailable', async () => {
    vault.reply = () => 'drop';
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).rejects.toMatchObject({ code: SecretsErrorCode.Unavailable });
    expect(vault.seen).toHaveLength(3);
  });

  it('reports a refused connection as Unavailable', async () => {
    const port = await closedPort();
    const closed = new VaultTransitClient({ addr: `http://127.0.0.1:${port}`, transitMount: 'transit', timeoutMs: 300 } as VaultConfig, tokens);
    await expect(closed.encrypt('k', [{ plaintext: 'cA==' }])).rejects.toMatchObject({
      code: SecretsErrorCode.Unavailable,
      message: 'Vault transit encrypt failed: no connection (ECONNREFUSED) after 3 attempts.',
    });
  });

  it('retries once with a fresh token after a 403 when the auth method can log in again', async () => {
    tokens.token.mockResolvedValueOnce('old-token-value').mockResolvedValue(TOKEN);
    tokens.recoverFromDenied.mockResolvedValue(true);
    vault.reply = (req) => (req.token === TOKEN ? echoTransit(req) : { status: 403, body: { errors: ['permission denied'] } });
    await expect(sut.encrypt('k', [{ plaintext: 'cA==' }])).resolves.toEqual(['vault:v1:cA==']);
    expect(tokens.recoverFromDenied).toHaveBeenCalledWith('old-token-value');
    expect(vault.seen.map((r) => r.token)).toEqual(['old-token-value', TOKEN]);
  });

  it('reports a 403 it cannot recover from as Unavailable without the token', async () => {
    vault.reply = (req) => ({ status: 403, body: { errors: [`permission denied for ${req.token}`] } });
    const error: unknown = await sut.encrypt('k', [{ plaintext: 'cA==' }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: SecretsErrorCode.Unavailable, meta: { status: 403 } });
    expect(inspect(error, { showHidden: true, depth: null }) + (error as Error).stack).not.toContain(TOKEN);
  });

  it('reads a key and its versions', async () => {
    vault.reply = () => ({
      status: 200,
      body: { data: { name: 'bloomdesk-pii', type: 'aes256-gcm96', derived: true, latest_version: 3, min_decryption_version: 2, min_encryption_version: 0, keys: { '2': 1, '3': 2 } } },
    });
    await expect(sut.readKey('bloomdesk-pii')).resolves.toEqual({
      name: 'bloomdesk-pii',
      type: 'aes256-gcm96',
      derived: true,
      latestVersion: 3,
      minDecryptionVersion: 2,
      minEncryptionVersion: 0,
      versions: [2, 3],
    });
    expect(vault.seen[0]).toMatchObject({ method: 'GET', url: '/v1/transit/keys/bloomdesk-pii' });
  });

  it('keeps chunk size within OpenBao’s JSON string limit', () => {
    // encrypt items carry 4 strings each; OpenBao refuses more than 1,000 per body
    expect(TRANSIT_CHUNK_SIZE * 4 + 1).toBeLessThanOrEqual(1000);
  });
});
