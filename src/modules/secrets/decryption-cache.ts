import type { EncryptionProvider } from './encryption.provider';

export interface DecryptionCacheOptions {
  /** Most plaintexts kept; the least recently used go first. */
  maxEntries: number;
  /** How long a plaintext may be served without asking the provider again. */
  ttlMs: number;
}

interface Entry {
  plaintext: string;
  expiresAt: number;
}

/**
 * A small in-process LRU of decrypted values in front of a provider, as the
 * design allows: keyed by tenant and ciphertext (the same ciphertext must never
 * decrypt for another tenant), held only in this process's memory, never in
 * Redis, never logged. A page read twice costs one Vault call, not two; misses
 * of a batch still go in one call.
 *
 * @example
 * const provider = new DecryptionCache(new VaultTransitProvider(config.vault, transit), { maxEntries: 20_000, ttlMs: 300_000 });
 */
export class DecryptionCache implements EncryptionProvider {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: EncryptionProvider,
    private readonly options: DecryptionCacheOptions,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  encrypt(tenantId: string, plaintexts: readonly string[]): Promise<string[]> {
    return this.inner.encrypt(tenantId, plaintexts);
  }

  blindIndex(scope: string, values: readonly string[]): Promise<string[]> {
    return this.inner.blindIndex(scope, values);
  }

  health() {
    return this.inner.health();
  }

  latestVersion(): Promise<number> {
    return this.inner.latestVersion();
  }

  rewrap(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    return this.inner.rewrap(tenantId, ciphertexts);
  }

  async decrypt(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    const now = Date.now();
    const result: string[] = new Array(ciphertexts.length);
    const missing: number[] = [];
    ciphertexts.forEach((ciphertext, i) => {
      const key = `${tenantId}\u0000${ciphertext}`;
      const entry = this.entries.get(key);
      if (entry && entry.expiresAt > now) {
        // Re-inserting moves the key to the young end of the Map's order.
        this.entries.delete(key);
        this.entries.set(key, entry);
        result[i] = entry.plaintext;
        this.hits++;
      } else missing.push(i);
    });
    if (!missing.length) return result;
    this.misses += missing.length;
    let plaintexts: string[];
    try {
      plaintexts = await this.inner.decrypt(tenantId, missing.map((i) => ciphertexts[i]));
    } catch (error) {
      // The provider numbers a bad item within what it was sent; the caller numbers its own batch.
      const meta = (error as { meta?: { index?: number } }).meta;
      if (meta && typeof meta.index === 'number') meta.index = missing[meta.index];
      throw error;
    }
    missing.forEach((at, j) => {
      result[at] = plaintexts[j];
      this.remember(`${tenantId}\u0000${ciphertexts[at]}`, plaintexts[j], now);
    });
    return result;
  }

  /** Forgets every plaintext (an operator's or a test's way to force the next reads to Vault). */
  clear(): void {
    this.entries.clear();
  }

  private remember(key: string, plaintext: string, now: number): void {
    this.entries.set(key, { plaintext, expiresAt: now + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
