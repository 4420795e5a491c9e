import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const KEYRING_FORMAT = 'bloomdesk-keyring/1';
const KEY_BYTES = 32;

/** Master keys by version (rotation adds a version and moves `current`) and the blind-index HMAC key, which is never rotated. */
export interface Keyring {
  current: number;
  keys: ReadonlyMap<number, Buffer>;
  hmacKey: Buffer;
  /** Group or others may read the file. */
  looseMode: boolean;
}

interface KeyringFile {
  format: string;
  warning: string;
  current: number;
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

function parse(text: string, path: string): Omit<Keyring, 'looseMode'> {
  let file: Partial<KeyringFile>;
  try {
    file = JSON.parse(text) as Partial<KeyringFile>;
  } catch {
    throw new Error(`Keyring ${path} is not valid JSON.`);
  }
  if (file.format !== KEYRING_FORMAT) throw new Error(`Keyring ${path} has an unknown format.`);
  const keys = new Map<number, Buffer>();
  for (const [version, entry] of Object.entries(file.keys ?? {})) {
    if (!/^[1-9]\d*$/.test(version)) throw new Error(`Keyring ${path} is damaged: bad key version.`);
    keys.set(Number(version), decodeKey(entry?.key, path, `key v${version}`));
  }
  const current = Number(file.current);
  if (!keys.has(current)) throw new Error(`Keyring ${path} is damaged: the current version has no key.`);
  return { current, keys, hmacKey: decodeKey(file.hmacKey, path, 'hmacKey') };
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
  const keyring = parse(readFileSync(path, 'utf8'), path);
  return { ...keyring, looseMode: (statSync(path).mode & 0o077) !== 0 };
}
