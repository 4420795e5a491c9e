import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config';
import { KeyCommandError, KeyRotationCommands, type KeyVersions } from '../modules/secrets/key-rotation.commands';
import { SecretsError } from '../modules/secrets/secrets.errors';

const USAGE = `usage: keys.js rotate | status | raise-min-version

  rotate              add a version to the PII key (Vault: transit rotate; embedded: the local keyring);
                      running servers then rewrap every stored value to it in the background
  status              the key's versions and, per database, the values still on older versions
  raise-min-version   once status shows none left: stop older versions from decrypting

With Vault these need VAULT_ROTATOR_TOKEN, a token with the bloomdesk-rotator policy
(docker/README.md, "Rotating the PII key"); the app's own token cannot rotate.
`;

const describe = (v: KeyVersions) => `${v.key}: latest version ${v.latest}, minimum decryption version ${v.minDecryption}`;

/** `npm run keys:rotate`, `keys:status`, `keys:raise-min-version`. Never prints a token. */
async function main(command: string | undefined): Promise<void> {
  if (!command || !['rotate', 'status', 'raise-min-version'].includes(command)) {
    process.stderr.write(USAGE);
    process.exit(64); // EX_USAGE
  }
  try {
    const keys = new KeyRotationCommands(loadConfig(process.env), process.env.VAULT_ROTATOR_TOKEN || undefined);
    if (command === 'rotate') {
      const versions = await keys.rotate();
      process.stdout.write(`rotated: ${describe(versions)}\nServers rewrap stored values to v${versions.latest} in the background; follow bloomdesk_rewrap_pending_values on /metrics or run keys:status.\n`);
    } else if (command === 'status') {
      const status = await keys.status();
      const lines = status.pending.map((p) => `  ${p.database}: ${p.values} value(s) on older versions`);
      process.stdout.write(`${describe(status)}\n${lines.join('\n')}\n`);
    } else {
      process.stdout.write(`raised: ${describe(await keys.raiseMinDecryptionVersion())}\n`);
    }
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof KeyCommandError;
    const message = known ? error.message : error instanceof SecretsError ? error.detail : `${(error as Error).name}: ${(error as { code?: string }).code ?? (error as Error).message}`;
    process.stderr.write(`bloomdesk: keys ${command} failed: ${message}\n`);
    process.exit(1);
  }
}

void main(process.argv[2]);
