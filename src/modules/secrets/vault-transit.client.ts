import type { VaultConfig } from '../../config/app-config';
import { SecretsError } from './secrets.errors';
import { VaultHttp, VaultHttpOptions, VaultHttpResponse } from './vault-http';
import { redact, vaultErrorMessages } from './vault-redact';
import type { VaultTokenSource } from './vault-token-source';

/** Base64 strings, as transit takes them. `context` is required for derived keys. */
export interface TransitEncryptItem {
  plaintext: string;
  context?: string;
}

export interface TransitCiphertextItem {
  ciphertext: string;
  context?: string;
}

export interface TransitKeyInfo {
  name: string;
  type: string;
  derived: boolean;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  /** Versions still present (those below `min_available_version` were trimmed). */
  versions: number[];
}

type Operation = 'encrypt' | 'decrypt' | 'hmac' | 'rewrap';
type BatchResult = Record<string, unknown> & { error?: unknown };

/**
 * OpenBao refuses JSON with more than 1,000 strings; an encrypt item holds up to
 * four (two keys, two values), so 200 items stay well inside the limit.
 */
export const TRANSIT_CHUNK_SIZE = 200;
const CHUNK_CONCURRENCY = 4;

/**
 * A small typed client for the transit engine (hashi-vault-js has none). Batches
 * are split into chunks of 200, sent up to 4 at a time, and results come back in
 * input order. One call, however many chunks, has one deadline (`timeoutMs`):
 * the token, every chunk and every retry share it. A per-item failure in
 * `batch_results[i].error` becomes an error naming the item's index in the whole
 * batch: OpenBao answers such a batch with HTTP 400 for encrypt/decrypt and
 * HTTP 200 for hmac/rewrap, the good items carrying their results either way.
 *
 * @example
 * const [ct] = await client.encrypt('bloomdesk-pii', [{ plaintext: b64(value), context: b64(tenantId) }]);
 */
export class VaultTransitClient {
  private readonly http: VaultHttp;
  private readonly mountPath: string;

  constructor(
    config: VaultConfig,
    private readonly tokens: VaultTokenSource,
    httpOptions?: VaultHttpOptions,
  ) {
    this.http = new VaultHttp(config.addr, config.timeoutMs, httpOptions);
    this.mountPath = `/v1/${config.transitMount.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`;
  }

  encrypt(key: string, items: readonly TransitEncryptItem[]): Promise<string[]> {
    return this.batch('encrypt', `encrypt/${encodeURIComponent(key)}`, items, 'ciphertext');
  }

  /** Resolves base64 plaintexts. Throws `SecretsError` CiphertextInvalid with `meta.index` for an item that does not decrypt. */
  decrypt(key: string, items: readonly TransitCiphertextItem[]): Promise<string[]> {
    return this.batch('decrypt', `decrypt/${encodeURIComponent(key)}`, items, 'plaintext');
  }

  /** HMAC-SHA256 of base64 inputs; resolves `vault:vN:...` strings. */
  hmac(key: string, inputs: readonly string[]): Promise<string[]> {
    const items = inputs.map((input) => ({ input }));
    return this.batch('hmac', `hmac/${encodeURIComponent(key)}/sha2-256`, items, 'hmac');
  }

  /** Re-encrypts with the key's latest version without exposing plaintext (the rotation job). */
  rewrap(key: string, items: readonly TransitCiphertextItem[]): Promise<string[]> {
    return this.batch('rewrap', `rewrap/${encodeURIComponent(key)}`, items, 'ciphertext');
  }

  async readKey(key: string): Promise<TransitKeyInfo> {
    const operation = 'transit read key';
    const res = await this.authorized({ method: 'GET', path: `${this.mountPath}/keys/${encodeURIComponent(key)}`, operation });
    const data = (res.body as { data?: Record<string, unknown> } | undefined)?.data;
    if (res.status !== 200 || !data) throw requestFailed(operation, res);
    return {
      name: String(data.name),
      type: String(data.type),
      derived: data.derived === true,
      latestVersion: Number(data.latest_version),
      minDecryptionVersion: Number(data.min_decryption_version),
      minEncryptionVersion: Number(data.min_encryption_version),
      versions: Object.keys((data.keys as object | undefined) ?? {}).map(Number).sort((a, b) => a - b),
    };
  }

  /**
   * Adds a key version (`keys/:name/rotate`). Not in the app's policy: the
   * `npm run keys:rotate` command calls it with the rotator's token.
   */
  async rotateKey(key: string): Promise<void> {
    const operation = 'transit rotate key';
    const res = await this.authorized({ method: 'POST', path: `${this.mountPath}/keys/${encodeURIComponent(key)}/rotate`, body: {}, operation });
    if (res.status >= 300) throw requestFailed(operation, res);
  }

  /** Sets `min_decryption_version` (rotator policy only, like `rotateKey`). */
  async setMinDecryptionVersion(key: string, version: number): Promise<void> {
    const operation = 'transit configure key';
    const body = { min_decryption_version: version };
    const res = await this.authorized({ method: 'POST', path: `${this.mountPath}/keys/${encodeURIComponent(key)}/config`, body, operation });
    if (res.status >= 300) throw requestFailed(operation, res);
  }

  /** Closes the pooled connections (Nest calls it at shutdown). */
  onModuleDestroy(): Promise<void> {
    return this.http.close();
  }

  private async batch(operation: Operation, path: string, items: readonly object[], field: string): Promise<string[]> {
    if (items.length === 0) return [];
    const deadline = this.http.deadline();
    const chunks: (readonly object[])[] = [];
    for (let i = 0; i < items.length; i += TRANSIT_CHUNK_SIZE) chunks.push(items.slice(i, i + TRANSIT_CHUNK_SIZE));
    const results = await mapChunks(chunks, (chunk, n) =>
      this.postChunk(operation, `${this.mountPath}/${path}`, chunk, n * TRANSIT_CHUNK_SIZE, field, deadline),
    );
    return results.flat();
  }

  private async postChunk(
    operation: Operation,
    path: string,
    chunk: readonly object[],
    offset: number,
    field: string,
    deadline: number,
  ): Promise<string[]> {
    const name = `transit ${operation}`;
    const res = await this.authorized({ method: 'POST', path, body: { batch_input: chunk }, operation: name }, deadline);
    const results = (res.body as { data?: { batch_results?: unknown } } | undefined)?.data?.batch_results;
    if (!Array.isArray(results) || results.length !== chunk.length) throw requestFailed(name, res);
    const failed = (results as BatchResult[]).findIndex((r) => typeof r?.error === 'string' && r.error !== '');
    if (failed >= 0) throw itemFailed(operation, offset + failed, String(results[failed].error));
    if (res.status >= 400) throw requestFailed(name, res);
    return (results as BatchResult[]).map((r, i) => {
      const value = r?.[field];
      if (typeof value !== 'string') throw requestFailed(`${name} (item ${offset + i} without ${field})`, res);
      return value;
    });
  }

  /**
   * Sends with the current token; after a 403, retries once if the auth method
   * could log in again. A login that Vault does not answer counts against the
   * same deadline as the request.
   */
  private async authorized(
    req: { method: 'GET' | 'POST'; path: string; body?: unknown; operation: string },
    deadline = this.http.deadline(),
  ): Promise<SentResponse> {
    const token = await this.within(deadline, req.operation, this.tokens.token());
    const res = await this.http.request({ ...req, token }, { deadline });
    if (res.status !== 403 || !(await this.within(deadline, req.operation, this.tokens.recoverFromDenied(token)))) return { ...res, token };
    const fresh = await this.within(deadline, req.operation, this.tokens.token());
    return { ...(await this.http.request({ ...req, token: fresh }, { deadline })), token: fresh };
  }

  private async within<T>(deadline: number, operation: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(SecretsError.unavailable(`Vault ${redact(operation)} timed out waiting for a token.`, { operation: redact(operation) })), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A response with the token it was sent with, so error texts can scrub it. */
type SentResponse = VaultHttpResponse & { token?: string };

function requestFailed(operation: string, res: SentResponse): SecretsError {
  const messages = vaultErrorMessages(res.body, [res.token]);
  const text = messages.length ? `: ${messages.join('; ')}` : '';
  return SecretsError.unavailable(`Vault ${operation} failed: HTTP ${res.status}${text}.`, {
    operation,
    status: res.status,
  });
}

function itemFailed(operation: Operation, index: number, vaultError: string): Error {
  const reason = redact(vaultError);
  if (operation === 'decrypt' || operation === 'rewrap') return SecretsError.ciphertextInvalid(index, reason);
  // We build these inputs ourselves (base64 of strings), so Vault refusing one is a bug, not a client error.
  return new Error(`Vault transit ${operation} refused item ${index}: ${reason}`);
}

/**
 * Runs chunks a few at a time, keeping order. After a failure no new chunk
 * starts, and the failure of the earliest chunk is thrown so the reported index
 * does not depend on which response arrived first.
 */
async function mapChunks<T, R>(chunks: readonly T[], run: (chunk: T, n: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(chunks.length);
  const failures: { n: number; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < chunks.length && failures.length === 0) {
      const n = next++;
      try {
        results[n] = await run(chunks[n], n);
      } catch (error) {
        failures.push({ n, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHUNK_CONCURRENCY, chunks.length) }, worker));
  if (failures.length) throw failures.reduce((a, b) => (b.n < a.n ? b : a)).error;
  return results;
}
