import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { KEYRING_FORMAT, keyringPath, raiseMinDecryptionVersion, rotateKeyring } from './local-keyring.file';
import { LOCAL_HMAC_PREFIX, LocalKeyringProvider } from './local-keyring.provider';
import { SecretsError, SecretsErrorCode } from './secrets.errors';

const TENANT_A = '0190a1b2-0000-7000-8000-00000000000a';
const TENANT_B = '0190a1b2-0000-7000-8000-00000000000b';

function tamper(ciphertext: string): string {
  const [prefix, version, body] = ciphertext.split(':');
  const raw = Buffer.from(body, 'base64url');
  raw[raw.length - 20] ^= 0x01;
  return `${prefix}:${version}:${raw.toString('base64url')}`;
}

describe(LocalKeyringProvider.name, () => {
  let dataDir: string;
  let warn: jest.SpyInstance;
  let sut: LocalKeyringProvider;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    dataDir = mkdtempSync(join(tmpdir(), 'bloomdesk-keyring-'));
    sut = new LocalKeyringProvider({ env: 'test', dataDir });
  });

  afterEach(() => {
    warn.mockRestore();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('round-trips a batch in order, including empty and non-Latin values', async () => {
    const values = ['+79161234567', '', 'Анна Петрова 🌷', 'a'.repeat(5000)];
    const ciphertexts = await sut.encrypt(TENANT_A, values);
    await expect(sut.decrypt(TENANT_A, ciphertexts)).resolves.toEqual(values);
  });

  it('writes the versioned envelope with a fresh IV each time', async () => {
    const ciphertexts = await sut.encrypt(TENANT_A, ['same', 'same']);
    expect(ciphertexts).toEqual([expect.stringMatching(/^local:v1:[A-Za-z0-9_-]+$/), expect.stringMatching(/^local:v1:/)]);
    expect(ciphertexts[0]).not.toEqual(ciphertexts[1]);
  });

  it('creates keyring.json with mode 0600 and keeps using it after a restart', async () => {
    const [ciphertext] = await sut.encrypt(TENANT_A, ['rose']);
    const path = join(dataDir, 'keyring.json');
    const restarted = new LocalKeyringProvider({ env: 'test', dataDir });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: KEYRING_FORMAT, current: 1 });
    await expect(restarted.decrypt(TENANT_A, [ciphertext])).resolves.toEqual(['rose']);
  });

  it("refuses to decrypt tenant A's ciphertext for tenant B, naming the index", async () => {
    const [, fromA] = await sut.encrypt(TENANT_A, ['one', 'two']);
    const [own] = await sut.encrypt(TENANT_B, ['mine']);
    await expect(sut.decrypt(TENANT_B, [own, fromA])).rejects.toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      meta: { index: 1 },
    });
  });

  it('rejects a tampered ciphertext without echoing it or the plaintext', async () => {
    const [ciphertext] = await sut.encrypt(TENANT_A, ['secret-note']);
    const tampered = tamper(ciphertext);
    const error: unknown = await sut.decrypt(TENANT_A, [tampered]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsError);
    expect(error).toMatchObject({ code: SecretsErrorCode.CiphertextInvalid, meta: { index: 0 } });
    const everything = [JSON.stringify(error), inspect(error, { showHidden: true, depth: null }), (error as Error).stack].join('\n');
    expect(everything).not.toContain(tampered.slice('local:v1:'.length));
    expect(everything).not.toContain('secret-note');
  });

  it.each([
    ['an unknown version', (ct: string) => ct.replace('local:v1:', 'local:v2:')],
    ['a Vault ciphertext', () => 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a truncated body', (ct: string) => ct.slice(0, 20)],
    ['garbage', () => 'not a ciphertext'],
  ])('rejects %s as CiphertextInvalid', async (_what, mangle) => {
    const [good, other] = await sut.encrypt(TENANT_A, ['x', 'y']);
    await expect(sut.decrypt(TENANT_A, [good, mangle(other)])).rejects.toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      meta: { index: 1 },
    });
  });

  it('decrypts older versions after a rotation adds v2', async () => {
    const [v1] = await sut.encrypt(TENANT_A, ['before']);
    const path = join(dataDir, 'keyring.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.keys['2'] = { key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() };
    file.current = 2;
    writeFileSync(path, JSON.stringify(file));
    const rotated = new LocalKeyringProvider({ env: 'test', dataDir });
    const [v2] = await rotated.encrypt(TENANT_A, ['after']);
    expect(v2).toMatch(/^local:v2:/);
    await expect(rotated.decrypt(TENANT_A, [v1, v2])).resolves.toEqual(['before', 'after']);
  });

  it('picks up a rotation made by the keys command while running, and rewraps without giving out the plaintext', async () => {
    const [v1] = await sut.encrypt(TENANT_A, ['before']);
    await expect(sut.keyVersions()).resolves.toMatchObject({ latest: 1 });
    rotateKeyring(keyringPath(dataDir));
    await expect(sut.keyVersions()).resolves.toMatchObject({ latest: 2 });
    const [moved] = await sut.rewrap(TENANT_A, [v1]);
    expect(moved).toMatch(/^local:v2:/);
    await expect(sut.decrypt(TENANT_A, [moved])).resolves.toEqual(['before']);
    await expect(sut.rewrap(TENANT_B, [v1])).rejects.toMatchObject({ code: SecretsErrorCode.CiphertextInvalid, meta: { index: 0 } });
    expect(statSync(keyringPath(dataDir)).mode & 0o777).toBe(0o600);
  });

  it('refuses versions below a raised minimum decryption version', async () => {
    const [v1] = await sut.encrypt(TENANT_A, ['old']);
    rotateKeyring(keyringPath(dataDir));
    await sut.keyVersions();
    const [v2] = await sut.encrypt(TENANT_A, ['new']);
    raiseMinDecryptionVersion(keyringPath(dataDir), 2);
    await sut.keyVersions();
    await expect(sut.decrypt(TENANT_A, [v2])).resolves.toEqual(['new']);
    await expect(sut.decrypt(TENANT_A, [v2, v1])).rejects.toMatchObject({ code: SecretsErrorCode.CiphertextInvalid, meta: { index: 1 } });
    expect(() => raiseMinDecryptionVersion(keyringPath(dataDir), 3)).toThrow('minDecryptionVersion');
  });

  it('computes a deterministic blind index that differs by scope', async () => {
    const [a1, a2] = await sut.blindIndex(TENANT_A, ['+79161234567', '+79161234567']);
    const [b] = await sut.blindIndex(TENANT_B, ['+79161234567']);
    const [catalog] = await sut.blindIndex('', ['+79161234567']);
    expect(a1).toEqual(a2);
    expect(a1.startsWith(LOCAL_HMAC_PREFIX)).toBe(true);
    expect(new Set([a1, b, catalog]).size).toBe(3);
  });

  it('requires a tenant id', async () => {
    await expect(sut.encrypt('', ['x'])).rejects.toThrow('tenant id');
    await expect(sut.decrypt('', ['x'])).rejects.toThrow('tenant id');
  });

  it('warns loudly at start and reports itself healthy', async () => {
    expect(warn.mock.calls.flat().join(' ')).toContain('NOT FOR PRODUCTION');
    await expect(sut.health()).resolves.toMatchObject({ up: true });
  });

  it('refuses to start in production', () => {
    expect(() => new LocalKeyringProvider({ env: 'production', dataDir })).toThrow('not for production');
  });

  it('refuses a damaged keyring instead of replacing it', () => {
    const path = join(dataDir, 'keyring.json');
    writeFileSync(path, '{"format":"bloomdesk-keyring/1","current":1,"keys":{}}');
    expect(() => new LocalKeyringProvider({ env: 'test', dataDir })).toThrow('damaged');
    expect(readFileSync(path, 'utf8')).toContain('"keys":{}');
  });
});
