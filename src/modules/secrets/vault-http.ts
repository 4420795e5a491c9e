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
  fetch?: typeof fetch;
}

type Attempt =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'timeout' }
  | { kind: 'connection'; code?: string };

const DEFAULT_RETRY_DELAYS_MS = [50, 150];
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

function connectionCode(error: unknown): string | undefined {
  // undici reports "fetch failed" with the socket error (ECONNREFUSED, ...) as its cause.
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * JSON over `fetch` with one timeout per attempt and retries with exponential
 * backoff on 5xx and connection errors only. A 4xx is returned to the caller:
 * for transit it may carry per-item errors. A timeout is not retried: the time
 * budget of the call is spent, and a slow Vault is not helped by more requests.
 * Node's global fetch keeps connections alive, so calls reuse sockets.
 */
export class VaultHttp {
  private readonly retryDelaysMs: readonly number[];
  private readonly fetch?: typeof fetch;

  constructor(
    private readonly addr: string,
    private readonly timeoutMs: number,
    options: VaultHttpOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.fetch = options.fetch;
  }

  async request(req: VaultHttpRequest, { retry = true } = {}): Promise<VaultHttpResponse> {
    const maxRetries = retry ? this.retryDelaysMs.length : 0;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(req);
      if (outcome.kind === 'response' && outcome.status < 500) return outcome;
      if (outcome.kind === 'timeout' || attempt >= maxRetries) throw this.unavailable(req, outcome, attempt + 1);
      const base = this.retryDelaysMs[attempt];
      await sleep(base + Math.random() * (base / 2));
    }
  }

  private async attempt(req: VaultHttpRequest): Promise<Attempt> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) headers['x-vault-token'] = req.token;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await (this.fetch ?? globalThis.fetch)(`${this.addr}${req.path}`, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { kind: 'response', status: res.status, body };
    } catch (error) {
      const name = (error as { name?: unknown })?.name;
      if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout' };
      return { kind: 'connection', code: connectionCode(error) };
    }
  }

  private unavailable(req: VaultHttpRequest, outcome: Attempt, attempts: number): SecretsError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const op = redact(req.operation);
    switch (outcome.kind) {
      case 'timeout':
        return SecretsError.unavailable(`Vault ${op} timed out after ${this.timeoutMs} ms.`, { operation: op });
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
