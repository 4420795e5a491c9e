import { Pool } from 'undici';
import { SecretsError } from './secrets.errors';
import { redact, vaultErrorMessages } from './vault-redact';

export interface VaultHttpRequest {
  method: 'GET' | 'POST';
  /** Path and query after the address, e.g. `/v1/transit/encrypt/bloomdesk-pii`. */
  path: string;
  token?: string;
  body?: unknown;
  /** Names the call in errors and logs, e.g. `transit encrypt`. */
  operation: string;
}

export interface VaultHttpResponse {
  status: number;
  body: unknown;
}

export interface VaultHttpOptions {
  /** Pauses before each retry; jitter adds up to half of each. Its length is the retry count. */
  retryDelaysMs?: readonly number[];
  /** Most sockets open to Vault at once; further requests wait for one (inside their deadline). */
  connections?: number;
}

type Attempt =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'timeout' }
  | { kind: 'connection'; code?: string };

const DEFAULT_RETRY_DELAYS_MS = [50, 150];
const DEFAULT_CONNECTIONS = 16;
/**
 * How long an idle socket is kept. Below OpenBao's idle timeout (5 min by default),
 * so we close first; undici also honours a shorter `Keep-Alive: timeout=` hint.
 */
const KEEP_ALIVE_MS = 30_000;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

function connectionCode(error: unknown): string | undefined {
  // undici puts the socket error (ECONNREFUSED, UND_ERR_SOCKET, ...) on the error itself.
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * JSON over HTTP to Vault with one deadline per call: `timeoutMs` bounds the
 * whole call, retries included (or the caller's `deadline`, when several
 * requests share one budget). Retries with exponential backoff on 5xx and
 * connection errors only, and only while the deadline leaves room for the
 * pause. A 4xx is returned to the caller: for transit it may carry per-item
 * errors. A timeout is not retried: the budget is spent.
 *
 * Connections are kept alive in a bounded pool (undici's `Pool`, not the
 * global `fetch`, whose agent is implicit and shared with everything else), so
 * a busy server reuses a few sockets instead of opening one a call.
 */
export class VaultHttp {
  private readonly retryDelaysMs: readonly number[];
  private readonly pool: Pool;

  constructor(
    addr: string,
    private readonly timeoutMs: number,
    options: VaultHttpOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.pool = new Pool(addr, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
    });
  }

  /** The absolute time by which a call started now must end. */
  deadline(): number {
    return Date.now() + this.timeoutMs;
  }

  async request(req: VaultHttpRequest, { retry = true, deadline = this.deadline() } = {}): Promise<VaultHttpResponse> {
    const maxRetries = retry ? this.retryDelaysMs.length : 0;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(req, deadline);
      if (outcome.kind === 'response' && outcome.status < 500) return outcome;
      if (outcome.kind === 'timeout' || attempt >= maxRetries) throw this.unavailable(req, outcome, attempt + 1);
      const base = this.retryDelaysMs[attempt];
      const pause = base + Math.random() * (base / 2);
      // A retry that cannot finish in time only delays the answer.
      if (Date.now() + pause >= deadline) throw this.unavailable(req, outcome, attempt + 1);
      await sleep(pause);
    }
  }

  /** Closes the idle sockets; requests after this fail. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async attempt(req: VaultHttpRequest, deadline: number): Promise<Attempt> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { kind: 'timeout' };
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) headers['x-vault-token'] = req.token;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await this.pool.request({
        method: req.method,
        path: req.path,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(remaining),
      });
      const text = await res.body.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { kind: 'response', status: res.statusCode, body };
    } catch (error) {
      const name = (error as { name?: unknown })?.name;
      if (name === 'TimeoutError' || name === 'AbortError' || Date.now() >= deadline) return { kind: 'timeout' };
      return { kind: 'connection', code: connectionCode(error) };
    }
  }

  private unavailable(req: VaultHttpRequest, outcome: Attempt, attempts: number): SecretsError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const op = redact(req.operation);
    switch (outcome.kind) {
      case 'timeout':
        return SecretsError.unavailable(`Vault ${op} timed out after ${this.timeoutMs} ms${tries}.`, { operation: op });
      case 'connection':
        return SecretsError.unavailable(
          `Vault ${op} failed: no connection${outcome.code ? ` (${outcome.code})` : ''}${tries}.`,
          { operation: op },
        );
      case 'response': {
        const messages = vaultErrorMessages(outcome.body, [req.token]);
        const text = messages.length ? `: ${messages.join('; ')}` : '';
        return SecretsError.unavailable(`Vault ${op} failed: HTTP ${outcome.status}${text}${tries}.`, {
          operation: op,
          status: outcome.status,
        });
      }
    }
  }
}
