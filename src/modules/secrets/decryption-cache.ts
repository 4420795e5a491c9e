import type { EncryptionProvider, KeyVersions } from './encryption.provider';

export interface DecryptionCacheOptions {
  /** Most plaintexts kept; the least recently used go first. */
  maxEntries: number;
  /** How long a plaintext may be served without asking the provider again. */
  ttlMs: number;
  /** Longer plaintexts (a stored idempotent answer) are not kept: they are rarely read twice and cost memory. */
  maxPlaintextLength?: number;
  /**
   * How often the key's minimum decryption version is read again while the
   * cache serves (in the background; the rewrap job's look at the versions
   * counts too). After `keys:raise-min-version`, a plaintext of an older
   * version is served for at most this long.
   */
  versionCheckMs?: number;
}

interface Entry {
  plaintext: string;
  expiresAt: number;
  /** Key version of the ciphertext (`vault:v3:...` -> 3). */
  version: number;
}

const DEFAULT_MAX_PLAINTEXT_LENGTH = 4096;
const DEFAULT_VERSION_CHECK_MS = 30_000;
const VERSION = /^[a-z]+:v(\d+):/;

const versionOf = (ciphertext: string) => Number(VERSION.exec(ciphertext)?.[1] ?? 0);
/** The same ciphertext must never decrypt for another tenant: the tenant is part of the key. */
const keyOf = (tenantId: string, ciphertext: string) => `${tenantId}\u0000${ciphertext}`;

/**
 * A small in-process LRU of decrypted values in front of a provider, as the
 * design allows: keyed by tenant and ciphertext (the same ciphertext must never
 * decrypt for another tenant), held only in this process's memory, never in
 * Redis, never logged. A page read twice costs one Vault call, not two; misses
 * of a batch still go in one call. What `encrypt` just sealed is remembered
 * too, so the answer to a write (which shows what was written) costs no
 * decrypt call. A ciphertext below the key's minimum decryption version is
 * never served from memory once the cache knows that minimum.
 *
 * @example
 * const provider = new DecryptionCache(new VaultTransitProvider(config.vault, transit, health), { maxEntries: 20_000, ttlMs: 300_000 });
 */
export class DecryptionCache implements EncryptionProvider {
  private readonly entries = new Map<string, Entry>();
  private minDecryption = 0;
  private versionsCheckedAt = Date.now();
  private versionCheck?: Promise<unknown>;
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: EncryptionProvider,
    private readonly options: DecryptionCacheOptions,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  async encrypt(tenantId: string, plaintexts: readonly string[]): Promise<string[]> {
    const ciphertexts = await this.inner.encrypt(tenantId, plaintexts);
    const now = Date.now();
    ciphertexts.forEach((ciphertext, i) => this.remember(keyOf(tenantId, ciphertext), ciphertext, plaintexts[i], now));
    this.trim();
    return ciphertexts;
  }

  blindIndex(scope: string, values: readonly string[]): Promise<string[]> {
    return this.inner.blindIndex(scope, values);
  }

  health() {
    return this.inner.health();
  }

  /** Also forgets every plaintext of a version that no longer decrypts. */
  async keyVersions(): Promise<KeyVersions> {
    const versions = await this.inner.keyVersions();
    this.versionsCheckedAt = Date.now();
    if (versions.minDecryption > this.minDecryption) {
      for (const [key, entry] of this.entries) if (entry.version < versions.minDecryption) this.entries.delete(key);
    }
    // Lowered again (an operator undoing a raise): older versions decrypt again, and may be kept.
    this.minDecryption = versions.minDecryption;
    return versions;
  }

  rewrap(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    return this.inner.rewrap(tenantId, ciphertexts);
  }

  async decrypt(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    const now = Date.now();
    this.checkVersionsIfDue(now);
    const result: string[] = new Array(ciphertexts.length);
    const keys = ciphertexts.map((ciphertext) => keyOf(tenantId, ciphertext));
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const entry = this.entries.get(key);
      if (entry && entry.expiresAt > now && entry.version >= this.minDecryption) {
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
      this.remember(keys[at], ciphertexts[at], plaintexts[j], now);
    });
    this.trim();
    return result;
  }

  /** Forgets every plaintext (an operator's or a test's way to force the next reads to Vault). */
  clear(): void {
    this.entries.clear();
  }

  /** Not awaited: a hit must not wait for Vault, and an unreachable Vault is retried at the next interval. */
  private checkVersionsIfDue(now: number): void {
    if (this.versionCheck || now - this.versionsCheckedAt < (this.options.versionCheckMs ?? DEFAULT_VERSION_CHECK_MS)) return;
    this.versionsCheckedAt = now;
    this.versionCheck = this.keyVersions()
      .catch(() => undefined)
      .finally(() => (this.versionCheck = undefined));
  }

  private remember(key: string, ciphertext: string, plaintext: string, now: number): void {
    if (plaintext.length > (this.options.maxPlaintextLength ?? DEFAULT_MAX_PLAINTEXT_LENGTH)) return;
    this.entries.delete(key);
    this.entries.set(key, { plaintext, expiresAt: now + this.options.ttlMs, version: versionOf(ciphertext) });
  }

  /**
   * Drops the least recently used down to 90 % of the limit, with one iterator.
   * Evicting one entry per insert (`keys().next()` each time) cost ~2 ms a page
   * once the cache was full: V8 keeps deleted Map entries as holes until it
   * rehashes, and every new iterator walks over all of them.
   */
  private trim(): void {
    const max = this.options.maxEntries;
    if (this.entries.size <= max) return;
    const keep = max - Math.floor(max / 10);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= keep) break;
      this.entries.delete(key);
    }
  }
}
