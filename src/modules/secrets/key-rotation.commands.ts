import { DataSource } from 'typeorm';
import type { AppConfig, DatabaseTarget, VaultConfig } from '../../config/app-config';
import { type DatabaseRole, dataSourceOptions } from '../../infra/database/data-source-options';
import { ciphertextTables } from './ciphertext-columns';
import { CiphertextRepository } from './ciphertext.repository';
import { versionPrefix } from './encryption.provider';
import { keyringPath, loadKeyring, raiseMinDecryptionVersion, rotateKeyring } from './local-keyring.file';
import { VaultTransitClient } from './vault-transit.client';

/** The PII key's versions: `latest` encrypts; versions below `minDecryption` no longer decrypt. */
export interface KeyVersions {
  key: string;
  latest: number;
  minDecryption: number;
}

export interface KeyStatus extends KeyVersions {
  /** Ciphertexts not on the latest version, by database (`catalog`, `shard:<id>`). */
  pending: Array<{ database: string; values: number }>;
}

/** Thrown for what the operator must fix; its message is the one line the command prints. */
export class KeyCommandError extends Error {
  override name = 'KeyCommandError';
}

/**
 * The operator's side of key rotation (`npm run keys:rotate`, `keys:status`,
 * `keys:raise-min-version`). On Vault they act with the rotator's token, given
 * apart from the app's own credentials, whose policy allows neither rotation
 * nor key configuration; on the embedded profile they edit the local keyring.
 * The rewrap itself is the server's background job (`RewrapJob`).
 *
 * @example
 * const keys = new KeyRotationCommands(loadConfig(process.env), process.env.VAULT_ROTATOR_TOKEN);
 * await keys.rotate(); // { key: 'bloomdesk-pii', latest: 2, minDecryption: 1 }
 */
export class KeyRotationCommands {
  private readonly transit?: VaultTransitClient;
  private readonly vault?: VaultConfig;

  constructor(
    private readonly config: AppConfig,
    rotatorToken?: string,
  ) {
    if (!config.vault) return;
    if (!rotatorToken) {
      throw new KeyCommandError(
        'VAULT_ROTATOR_TOKEN is missing: rotation needs a token with the bloomdesk-rotator policy ' +
          '(bao token create -policy=bloomdesk-rotator -ttl=15m), given apart from the app\'s own credentials.',
      );
    }
    this.vault = config.vault;
    // A fixed token: there is nothing to log in again with when Vault refuses it.
    this.transit = new VaultTransitClient(config.vault, { token: async () => rotatorToken, recoverFromDenied: async () => false });
  }

  async versions(): Promise<KeyVersions> {
    if (this.transit && this.vault) {
      const info = await this.transit.readKey(this.vault.piiKey);
      return { key: this.vault.piiKey, latest: info.latestVersion, minDecryption: info.minDecryptionVersion };
    }
    const keyring = loadKeyring(this.keyringPath());
    return { key: this.keyringPath(), latest: keyring.current, minDecryption: keyring.minDecryptionVersion };
  }

  /** Adds a key version; running servers rewrap to it within `KEY_REWRAP_INTERVAL_SECONDS`. */
  async rotate(): Promise<KeyVersions> {
    if (this.transit && this.vault) await this.transit.rotateKey(this.vault.piiKey);
    else rotateKeyring(this.keyringPath());
    return this.versions();
  }

  /** Counts, in every database, the ciphertexts still on an older version. */
  async status(): Promise<KeyStatus> {
    const versions = await this.versions();
    const prefix = versionPrefix(this.config.vault ? 'vault-transit' : 'local-keyring', versions.latest);
    const targets: Array<[string, DatabaseTarget, DatabaseRole]> = [
      ['catalog', this.config.catalog, 'catalog'],
      ...this.config.shards.map((s): [string, DatabaseTarget, DatabaseRole] => [`shard:${s.id}`, s.target, 'shard']),
    ];
    const repository = new CiphertextRepository();
    const pending: KeyStatus['pending'] = [];
    for (const [database, target, role] of targets) {
      // Read only: no migrations, and an embedded file is never written back.
      const db = new DataSource({ ...dataSourceOptions(target, role, 1), ...(target.kind === 'sqljs' && { autoSave: false }) });
      await db.initialize();
      try {
        let values = 0;
        for (const table of ciphertextTables(db)) values += await repository.countBehind(db, table, prefix);
        pending.push({ database, values });
      } finally {
        await db.destroy();
      }
    }
    return { ...versions, pending };
  }

  /**
   * Raises the minimum decryption version to the latest, once no stored value
   * needs an older one; otherwise refuses, naming what is left.
   */
  async raiseMinDecryptionVersion(): Promise<KeyVersions> {
    const status = await this.status();
    const left = status.pending.filter((p) => p.values > 0);
    if (left.length) {
      throw new KeyCommandError(
        `Not raised: ${left.map((p) => `${p.database} has ${p.values} value(s)`).join(', ')} on versions below ${status.latest}. ` +
          'Wait for the rewrap job (bloomdesk_rewrap_pending_values on /metrics) and try again; values it ' +
          'cannot move (bloomdesk_rewrap_failures_total, logged by row) do not decrypt and need a person first.',
      );
    }
    if (this.transit && this.vault) await this.transit.setMinDecryptionVersion(this.vault.piiKey, status.latest);
    else raiseMinDecryptionVersion(this.keyringPath(), status.latest);
    return this.versions();
  }

  private keyringPath(): string {
    return keyringPath(this.config.dataDir);
  }
}
