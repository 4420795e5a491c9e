import { Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import type { EncryptionProvider, KeyVersions } from './encryption.provider';
import { keyringPath, keyringStamp, loadKeyring, loadOrCreateKeyring, Keyring } from './local-keyring.file';
import { SecretsError } from './secrets.errors';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^local:v([1-9]\d{0,8}):([A-Za-z0-9_-]+)$/;
const MAX_CACHED_KEYS = 1024;
export const LOCAL_HMAC_PREFIX = 'local:hmac:';

/**
 * The embedded profile's provider: AES-256-GCM with keys in `<dataDir>/keyring.json`.
 * Each tenant gets its own key (HKDF-SHA256 of the version's master key, info
 * `bloomdesk-pii:<tenantId>`), so, as with Vault's derived keys, a ciphertext
 * does not decrypt in another tenant's context. Envelope:
 * `local:v<N>:<base64url(iv | ciphertext | tag)>`. Not for production: the keys
 * sit next to the data they protect.
 *
 * `npm run keys:rotate` adds a version to the file while the server runs; the
 * server loads it when the rotation job next asks for the key's versions.
 */
export class LocalKeyringProvider implements EncryptionProvider {
  readonly kind = 'local-keyring' as const;
  private readonly logger = new Logger(LocalKeyringProvider.name);
  private readonly path: string;
  private keyring: Keyring;
  private readonly tenantKeys = new Map<string, Buffer>();

  constructor(config: Pick<AppConfig, 'env' | 'dataDir'>) {
    if (config.env === 'production') {
      throw new Error('The local keyring is not for production: configure Vault (VAULT_ADDR) instead.');
    }
    const path = keyringPath(config.dataDir);
    this.path = path;
    this.keyring = loadOrCreateKeyring(path);
    this.logger.warn(
      `*** NOT FOR PRODUCTION *** Sensitive data is encrypted with the local keyring ${path}; ` +
        'anyone holding that file can read it. Production uses Vault transit (the services profile).',
    );
    if (this.keyring.looseMode) this.logger.warn(`${path} is readable by group or others; run chmod 600 on it.`);
  }

  async encrypt(tenantId: string, plaintexts: readonly string[]): Promise<string[]> {
    checkTenant(tenantId);
    return plaintexts.map((plaintext) => this.seal(tenantId, plaintext));
  }

  async decrypt(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    checkTenant(tenantId);
    return ciphertexts.map((ciphertext, index) => this.open(tenantId, ciphertext, index));
  }

  async blindIndex(scope: string, values: readonly string[]): Promise<string[]> {
    return values.map(
      (value) => LOCAL_HMAC_PREFIX + createHmac('sha256', this.keyring.hmacKey).update(scope + value, 'utf8').digest('base64url'),
    );
  }

  async health(): Promise<{ up: boolean; detail?: string }> {
    return { up: true, detail: 'Local keyring (embedded profile, not for production).' };
  }

  async keyVersions(): Promise<KeyVersions> {
    this.reloadIfChanged();
    return { latest: this.keyring.current, minDecryption: this.keyring.minDecryptionVersion };
  }

  /** Opens and seals again inside the provider: the caller never holds the plaintext. */
  async rewrap(tenantId: string, ciphertexts: readonly string[]): Promise<string[]> {
    checkTenant(tenantId);
    this.reloadIfChanged();
    return ciphertexts.map((ciphertext, index) => this.seal(tenantId, this.open(tenantId, ciphertext, index)));
  }

  private seal(tenantId: string, plaintext: string): string {
    const version = this.keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.tenantKey(version, tenantId), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `local:v${version}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  private reloadIfChanged(): void {
    if (keyringStamp(this.path) === this.keyring.stamp) return;
    const previous = this.keyring;
    // A damaged file throws here and the keys in memory stay in use.
    this.keyring = loadKeyring(this.path);
    this.tenantKeys.clear();
    if (this.keyring.current !== previous.current) this.logger.log(`Keyring ${this.path}: now encrypting with key version ${this.keyring.current}.`);
  }

  private open(tenantId: string, ciphertext: string, index: number): string {
    const match = ENVELOPE.exec(ciphertext);
    if (!match) throw SecretsError.ciphertextInvalid(index, 'not a local keyring envelope');
    const version = Number(match[1]);
    if (!this.keyring.keys.has(version)) throw SecretsError.ciphertextInvalid(index, `unknown key version ${version}`);
    if (version < this.keyring.minDecryptionVersion) throw SecretsError.ciphertextInvalid(index, `key version ${version} is below the minimum decryption version`);
    const raw = Buffer.from(match[2], 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw SecretsError.ciphertextInvalid(index, 'too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.tenantKey(version, tenantId), raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw SecretsError.ciphertextInvalid(index, 'message authentication failed');
    }
  }

  private tenantKey(version: number, tenantId: string): Buffer {
    checkTenant(tenantId);
    const id = `${version}:${tenantId}`;
    let key = this.tenantKeys.get(id);
    if (!key) {
      const master = this.keyring.keys.get(version)!;
      key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `bloomdesk-pii:${tenantId}`, 32));
      if (this.tenantKeys.size >= MAX_CACHED_KEYS) this.tenantKeys.clear();
      this.tenantKeys.set(id, key);
    }
    return key;
  }
}

function checkTenant(tenantId: string): void {
  if (!tenantId) throw new Error('A tenant id is required as the encryption context.');
}
