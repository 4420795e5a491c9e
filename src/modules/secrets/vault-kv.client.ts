import type { VaultKvApi } from './hashi-vault.client';
import { SecretsError } from './secrets.errors';
import { vaultSafeCall } from './vault-safe-call';
import type { VaultTokenSource } from './vault-token-source';

/** What KV answers about a written version. */
export interface KvVersion {
  version: number;
}

const PATH = /^[a-z0-9-]+(\/[a-z0-9-]+)*$/;

/**
 * KV v2 for values only Vault may hold (tenant integration credentials), over
 * hashi-vault-js and only through `vaultSafeCall`: an error names the operation
 * and Vault's redacted messages, never the token, the path's value or the data.
 * A 403 with a dead token logs in again and retries once, as transit does.
 *
 * @example
 * const { version } = await kv.write('bloomdesk/tenants/<tenant>/integrations/<id>', { value: apiKey });
 */
export class VaultKvClient {
  constructor(
    private readonly tokens: VaultTokenSource,
    private readonly api: VaultKvApi,
  ) {}

  async write(path: string, data: Record<string, string>): Promise<KvVersion> {
    const answer = (await this.call('KV write', path, (token) => this.api.write(token, path, data), Object.values(data))) as { version?: unknown };
    if (typeof answer?.version !== 'number') throw SecretsError.unavailable('Vault KV write answered without a version.');
    return { version: answer.version };
  }

  /** The newest version's data. */
  async read(path: string): Promise<KvVersion & { data: Record<string, string> }> {
    const answer = (await this.call('KV read', path, (token) => this.api.read(token, path))) as { data?: Record<string, string>; metadata?: { version?: unknown } };
    return { data: answer?.data ?? {}, version: Number(answer?.metadata?.version) };
  }

  /** Removes every version and the metadata. */
  async remove(path: string): Promise<void> {
    await this.call('KV delete', path, (token) => this.api.remove(token, path));
  }

  private async call(operation: string, path: string, run: (token: string) => PromiseLike<unknown>, secrets: readonly string[] = []): Promise<unknown> {
    // Paths are built by our code from ids; anything else is a bug, not a request to pass on.
    if (!PATH.test(path)) throw new Error('Vault KV path has an unexpected form.');
    const token = await this.tokens.token();
    try {
      return await vaultSafeCall(operation, () => run(token), [token, ...secrets]);
    } catch (error) {
      if (!(error instanceof SecretsError) || error.meta?.status !== 403 || !(await this.tokens.recoverFromDenied(token))) throw error;
    }
    const fresh = await this.tokens.token();
    return vaultSafeCall(operation, () => run(fresh), [fresh, ...secrets]);
  }
}
