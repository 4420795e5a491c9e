import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const KEYRING_FORMAT = 'bloomdesk-keyring/1';

/** Where the embedded profile keeps its keyring. */
export const keyringPath = (dataDir: string) => join(dataDir, 'keyring.json');
const KEY_BYTES = 32;

/** Master keys by version (rotation adds a version and moves `current`) and the blind-index HMAC key, which is never rotated. */
export interface Keyring {
  current: number;
  /** Versions below it no longer decrypt (Vault's `min_decryption_version`); 1 until raised. */
  minDecryptionVersion: number;
  keys: ReadonlyMap<number, Buffer>;
  hmacKey: Buffer;
  /** Group or others may read the file. */
  looseMode: boolean;
  /** Identifies the file as read (inode, size, mtime): a change means a rotation to load. */
  stamp: string;
}

interface KeyringFile {
  format: string;
  warning: string;
  current: number;
  minDecryptionVersion?: number;
  keys: Record<string, { key: string; createdAt: string }>;
  hmacKey: string;
}

function newKeyringFile(): KeyringFile {
  return {
    format: KEYRING_FORMAT,
    warning: 'Bloomdesk embedded profile only: whoever has this file can read every encrypted value. Not for production.',
    current: 1,
    keys: { '1': { key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() } },
    hmacKey: randomBytes(KEY_BYTES).toString('base64'),
  };
}

function decodeKey(value: unknown, path: string, what: string): Buffer {
  const key = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) throw new Error(`Keyring ${path} is damaged: ${what} is not a 32-byte base64 key.`);
  return key;
}

function readFile(text: string, path: string): Partial<KeyringFile> {
  let file: Partial<KeyringFile>;
  try {
    file = JSON.parse(text) as Partial<KeyringFile>;
  } catch {
    throw new Error(`Keyring ${path} is not valid JSON.`);
  }
  if (file.format !== KEYRING_FORMAT) throw new Error(`Keyring ${path} has an unknown format.`);
  return file;
}

function parse(text: string, path: string): Omit<Keyring, 'looseMode' | 'stamp'> {
  const file = readFile(text, path);
  const keys = new Map<number, Buffer>();
  for (const [version, entry] of Object.entries(file.keys ?? {})) {
    if (!/^[1-9]\d*$/.test(version)) throw new Error(`Keyring ${path} is damaged: bad key version.`);
    keys.set(Number(version), decodeKey(entry?.key, path, `key v${version}`));
  }
  const current = Number(file.current);
  if (!keys.has(current)) throw new Error(`Keyring ${path} is damaged: the current version has no key.`);
  const minDecryptionVersion = file.minDecryptionVersion ?? 1;
  if (!Number.isInteger(minDecryptionVersion) || minDecryptionVersion < 1 || minDecryptionVersion > current) {
    throw new Error(`Keyring ${path} is damaged: minDecryptionVersion is not a version from 1 to the current one.`);
  }
  return { current, minDecryptionVersion, keys, hmacKey: decodeKey(file.hmacKey, path, 'hmacKey') };
}

/**
 * Reads the keyring, creating it (mode 0600) on first start. A damaged file is an
 * error, never a reason to make new keys: that would orphan every stored value.
 */
export function loadOrCreateKeyring(path: string): Keyring {
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx' fails if another process created it first; then we read theirs.
    writeFileSync(path, `${JSON.stringify(newKeyringFile(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return loadKeyring(path);
}

/** Reads an existing keyring (a rotation by `npm run keys:rotate` is picked up this way). */
export function loadKeyring(path: string): Keyring {
  const keyring = parse(readFileSync(path, 'utf8'), path);
  return { ...keyring, looseMode: (statSync(path).mode & 0o077) !== 0, stamp: keyringStamp(path) };
}

/** Changes whenever the file is replaced (rotation renames a new file in) or rewritten. */
export function keyringStamp(path: string): string {
  const stat = statSync(path);
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/**
 * Applies `change` to the keyring file and replaces it in one rename, so a
 * server reading it meanwhile sees the old file or the new one, never half.
 * The result is checked as a keyring before it replaces anything.
 */
function rewriteKeyring(path: string, change: (file: KeyringFile) => void): Keyring {
  const file = readFile(readFileSync(path, 'utf8'), path) as KeyringFile;
  change(file);
  const text = `${JSON.stringify(file, null, 2)}\n`;
  parse(text, path);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600, flag: 'w' });
  renameSync(temporary, path);
  return loadKeyring(path);
}

/** Adds a key version and makes it current: new ciphertexts use it, older ones still decrypt. */
export function rotateKeyring(path: string): Keyring {
  return rewriteKeyring(path, (file) => {
    const next = Math.max(...Object.keys(file.keys).map(Number)) + 1;
    file.keys[String(next)] = { key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() };
    file.current = next;
  });
}

/**
 * Stops versions below `version` from decrypting. The keys stay in the file, so
 * lowering it again (by editing the file) undoes it, as Vault allows too.
 */
export function raiseMinDecryptionVersion(path: string, version: number): Keyring {
  return rewriteKeyring(path, (file) => {
    file.minDecryptionVersion = version;
  });
}
