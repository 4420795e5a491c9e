/**
 * Encrypts and decrypts sensitive attributes. Two implementations stand behind
 * this interface: Vault transit (services profile) and the local keyring
 * (embedded profile). Inject it with `@Inject(ENCRYPTION_PROVIDER)`.
 *
 * Every method takes a whole batch and keeps its order: callers gather every
 * sensitive value of a page into one call, never one call per row or field.
 * The `tenantId` is the key-derivation context: a ciphertext made for one tenant
 * does not decrypt for another.
 *
 * @example
 * const [nameCt, emailCt] = await provider.encrypt(ctx.tenantId, [name, email]);
 * const [name2] = await provider.decrypt(ctx.tenantId, [nameCt]);
 */
export interface EncryptionProvider {
  readonly kind: 'vault-transit' | 'local-keyring';
  /** Returns `vault:vN:...` (transit) or `local:vN:...` (keyring) strings. */
  encrypt(tenantId: string, plaintexts: readonly string[]): Promise<string[]>;
  decrypt(tenantId: string, ciphertexts: readonly string[]): Promise<string[]>;
  /**
   * Blind index for equality lookups without decryption: a keyed HMAC of
   * `scope + value` with a dedicated key that is never rotated. `scope` is the
   * tenant id for tenant-owned fields and '' for the login e-mail in the catalog.
   * Callers normalise values first (E.164 phones, lower-cased e-mail).
   */
  blindIndex(scope: string, values: readonly string[]): Promise<string[]>;
  /** Reachable, unsealed and able to encrypt; never throws. */
  health(): Promise<{ up: boolean; detail?: string }>;
  /**
   * The key's versions: `encrypt` writes `latest`, ciphertexts of older versions
   * are what the key-rotation job rewraps, and those below `minDecryption` no
   * longer decrypt.
   */
  keyVersions(): Promise<KeyVersions>;
  /**
   * Moves ciphertexts to the newest key version without handing their plaintext
   * to the caller (Vault's `rewrap`; the keyring re-encrypts inside itself).
   * Throws `SecretsError` CiphertextInvalid with `meta.index` for an item that
   * does not decrypt, like `decrypt`.
   */
  rewrap(tenantId: string, ciphertexts: readonly string[]): Promise<string[]>;
}

export interface KeyVersions {
  latest: number;
  minDecryption: number;
}

/**
 * How every ciphertext of `version` starts (`vault:v3:`, `local:v3:`): rows whose
 * value does not start so are behind the newest version.
 */
export function versionPrefix(kind: EncryptionProvider['kind'], version: number): string {
  return `${kind === 'vault-transit' ? 'vault' : 'local'}:v${version}:`;
}

export const ENCRYPTION_PROVIDER = Symbol('ENCRYPTION_PROVIDER');
