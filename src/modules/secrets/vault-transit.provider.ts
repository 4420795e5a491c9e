import type { VaultConfig } from '../../config/app-config';
import type { EncryptionProvider, KeyVersions } from './encryption.provider';
import type { VaultHealthApi } from './hashi-vault.client';
import { SecretsError } from './secrets.errors';
import { vaultSafeCall } from './vault-safe-call';
import type { VaultTransitClient } from './vault-transit.client';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
// Health encrypts an empty string in a context no tenant id can take.
const HEALTH_CONTEXT = b64('bloomdesk-health-check');

/**
 * The services profile's provider: Vault transit with the derived key
 * `config.piiKey` (context = the tenant id) and HMAC with `config.blindIndexKey`.
 * Ciphertexts are stored exactly as Vault returns them (`vault:vN:...`).
 * Health reads `sys/health` through hashi-vault-js (inside `vaultSafeCall`),
 * then proves the token, its policy and the key with one transit call.
 */
export class VaultTransitProvider implements EncryptionProvider {
  readonly kind = 'vault-transit' as const;

  constructor(
    private readonly config: VaultConfig,
    private readonly transit: VaultTransitClient,
    private readonly vault: VaultHealthApi,
  ) {}

  async encrypt(tenantId: string, plaintexts: readonly string[]): Promise<string[]> {
    const context = contextOf(tenantId);
    return this.transit.encrypt(
      this.config.piiKey,
      plaintexts.map((p) => ({ plaintext: b64(p), context })),
    );
  }

  async decrypt(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    const context = contextOf(tenantId);
    const plaintexts = await this.transit.decrypt(
      this.config.piiKey,
      ciphertexts.map((ciphertext) => ({ ciphertext, context })),
    );
    return plaintexts.map((p) => Buffer.from(p, 'base64').toString('utf8'));
  }

  async keyVersions(): Promise<KeyVersions> {
    const key = await this.transit.readKey(this.config.piiKey);
    return { latest: key.latestVersion, minDecryption: key.minDecryptionVersion };
  }

  /** Vault's rewrap: the plaintext never leaves Vault. */
  async rewrap(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    const context = contextOf(tenantId);
    return this.transit.rewrap(
      this.config.piiKey,
      ciphertexts.map((ciphertext) => ({ ciphertext, context })),
    );
  }

  async blindIndex(scope: string, values: readonly string[]): Promise<string[]> {
    return this.transit.hmac(
      this.config.blindIndexKey,
      values.map((v) => b64(scope + v)),
    );
  }

  async health(): Promise<{ up: boolean; detail?: string }> {
    try {
      const state = (await vaultSafeCall('health check', () => this.vault.health())) as { initialized?: unknown; sealed?: unknown } | undefined;
      if (state?.initialized !== true) return { up: false, detail: 'Vault is not initialized.' };
      if (state.sealed !== false) return { up: false, detail: 'Vault is sealed.' };
      // Proves the token, its policy and the key in one cheap call.
      await this.transit.encrypt(this.config.piiKey, [{ plaintext: '', context: HEALTH_CONTEXT }]);
      return { up: true };
    } catch (error) {
      return { up: false, detail: error instanceof SecretsError ? error.detail : 'Vault health check failed.' };
    }
  }
}

function contextOf(tenantId: string): string {
  // An empty context would make Vault reject the whole batch; it is a caller bug.
  if (!tenantId) throw new Error('A tenant id is required as the encryption context.');
  return b64(tenantId);
}
