import { Logger } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import type { AppConfig, VaultConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import {
  ENCRYPTION_PROVIDER,
  EncryptionProvider,
  SecretsErrorCode,
  SecretsModule,
  VaultTransitClient,
} from '../../src/modules/secrets';
import { VaultHttp } from '../../src/modules/secrets/vault-http';

// The real OpenBao that scripts/services.sh starts: transit at transit/ with
// bloomdesk-pii (aes256-gcm96, derived) and bloomdesk-blind-index (aes256-gcm96).
// The dev root token, not the app's: this suite also reads both keys' settings,
// which the bloomdesk-app policy allows for the PII key only.
const vault: VaultConfig = {
  addr: (process.env.VAULT_ADDR ?? 'http://127.0.0.1:8200').replace(/\/$/, ''),
  auth: { kind: 'token', token: 'bloomdesk-dev-root' },
  transitMount: 'transit',
  piiKey: 'bloomdesk-pii',
  blindIndexKey: 'bloomdesk-blind-index',
  kvMount: 'secret',
  timeoutMs: 5000,
};

const TENANT_A = '0190a1b2-0000-7000-8000-0000000000aa';
const TENANT_B = '0190a1b2-0000-7000-8000-0000000000bb';

async function requireOpenBao(): Promise<void> {
  // Fails, never skips: a suite that silently skips without its service proves nothing.
  try {
    const res = await fetch(`${vault.addr}/v1/sys/health`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { initialized?: boolean; sealed?: boolean };
    if (!body.initialized || body.sealed) throw new Error('not initialized or sealed');
  } catch (error) {
    throw new Error(`OpenBao is not usable at ${vault.addr} (${(error as Error).message}); run scripts/services.sh first.`, { cause: error });
  }
}

function tamper(ciphertext: string): string {
  const body = Buffer.from(ciphertext.slice('vault:v1:'.length), 'base64');
  body[body.length - 1] ^= 0x01;
  return `vault:v1:${body.toString('base64')}`;
}

describe('Vault transit encryption (OpenBao)', () => {
  let moduleRef: TestingModule;
  let sut: EncryptionProvider;
  let transit: VaultTransitClient;

  beforeAll(async () => {
    await requireOpenBao();
    Logger.overrideLogger(['error']);
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ env: 'test', dataDir: '/nonexistent', vault } as unknown as AppConfig), SecretsModule],
    }).compile();
    await moduleRef.init();
    sut = moduleRef.get(ENCRYPTION_PROVIDER);
    transit = moduleRef.get(VaultTransitClient);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('uses transit keys set up as the design says', async () => {
    expect(sut.kind).toBe('vault-transit');
    await expect(transit.readKey(vault.piiKey)).resolves.toMatchObject({ type: 'aes256-gcm96', derived: true });
    await expect(transit.readKey(vault.blindIndexKey)).resolves.toMatchObject({ type: 'aes256-gcm96' });
  });

  it('round-trips 450 values in one call, sent as 3 chunks, in order', async () => {
    const values = Array.from({ length: 450 }, (_, i) => (i % 3 === 0 ? `Анна ${i} 🌷` : i % 3 === 1 ? `+7916${String(i).padStart(7, '0')}` : ''));
    const requests = jest.spyOn(VaultHttp.prototype, 'request');
    const ciphertexts = await sut.encrypt(TENANT_A, values);
    const encryptCalls = requests.mock.calls.filter(([req]) => req.path.endsWith(`/encrypt/${vault.piiKey}`));
    expect(encryptCalls.map(([req]) => (req.body as { batch_input: unknown[] }).batch_input.length)).toEqual([200, 200, 50]);
    expect(ciphertexts).toHaveLength(450);
    expect(ciphertexts.every((c) => /^vault:v\d+:/.test(c))).toBe(true);
    await expect(sut.decrypt(TENANT_A, ciphertexts)).resolves.toEqual(values);
  });

  it("fails to decrypt tenant A's ciphertext for tenant B, naming its index", async () => {
    const own = await sut.encrypt(TENANT_B, Array.from({ length: 260 }, (_, i) => `b${i}`));
    const [fromA] = await sut.encrypt(TENANT_A, ['a secret of tenant A']);
    const batch = [...own];
    batch[250] = fromA;
    const error: unknown = await sut.decrypt(TENANT_B, batch).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: SecretsErrorCode.CiphertextInvalid, meta: { index: 250 } });
    expect(JSON.stringify(error) + (error as Error).message).not.toContain(fromA.slice(9));
  });

  it('rejects a tampered ciphertext as CiphertextInvalid with its index', async () => {
    const ciphertexts = await sut.encrypt(TENANT_A, ['one', 'two', 'three']);
    ciphertexts[2] = tamper(ciphertexts[2]);
    await expect(sut.decrypt(TENANT_A, ciphertexts)).rejects.toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      meta: { index: 2 },
    });
  });

  it('rejects a ciphertext of an unknown key version', async () => {
    const [ciphertext] = await sut.encrypt(TENANT_A, ['x']);
    await expect(sut.decrypt(TENANT_A, [ciphertext.replace(/^vault:v\d+:/, 'vault:v999:')])).rejects.toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      meta: { index: 0 },
    });
  });

  it('computes a deterministic blind index that differs by scope', async () => {
    const [a1, a2] = await sut.blindIndex(TENANT_A, ['+79161234567', '+79161234567']);
    const [b] = await sut.blindIndex(TENANT_B, ['+79161234567']);
    const [catalog] = await sut.blindIndex('', ['anna@example.com']);
    const [again] = await sut.blindIndex(TENANT_A, ['+79161234567']);
    expect(a1).toMatch(/^vault:v1:/);
    expect([a2, again]).toEqual([a1, a1]);
    expect(new Set([a1, b, catalog]).size).toBe(3);
  });

  it('rewraps ciphertexts that still decrypt', async () => {
    const ciphertexts = await sut.encrypt(TENANT_A, ['rewrap me']);
    const rewrapped = await transit.rewrap(vault.piiKey, ciphertexts.map((ciphertext) => ({ ciphertext, context: Buffer.from(TENANT_A).toString('base64') })));
    await expect(sut.decrypt(TENANT_A, rewrapped)).resolves.toEqual(['rewrap me']);
  });

  it('reports health up', async () => {
    await expect(sut.health()).resolves.toEqual({ up: true });
  });
});
