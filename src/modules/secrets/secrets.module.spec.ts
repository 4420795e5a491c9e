import { Logger } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { ENCRYPTION_PROVIDER, EncryptionProvider } from './encryption.provider';
import { SecretsModule } from './secrets.module';
import { VaultAuthService } from './vault-auth.service';
import { VaultTransitClient } from './vault-transit.client';

async function boot(config: Partial<AppConfig>): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config as AppConfig), SecretsModule],
  }).compile();
  return moduleRef.init();
}

describe(SecretsModule.name, () => {
  let dataDir: string;
  let sut: TestingModule | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'bloomdesk-secrets-'));
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
    jest.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('provides the local keyring when there is no Vault', async () => {
    sut = await boot({ env: 'test', dataDir, vault: null });
    const provider = sut.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
    expect(provider.kind).toBe('local-keyring');
    expect(sut.get(VaultAuthService)).toBeNull();
    expect(sut.get(VaultTransitClient)).toBeNull();
    await expect(provider.decrypt('t', await provider.encrypt('t', ['x']))).resolves.toEqual(['x']);
  });

  it('provides Vault transit, logs in at init and stops its timer at close, even with Vault down', async () => {
    const init = jest.spyOn(VaultAuthService.prototype, 'onModuleInit');
    const destroy = jest.spyOn(VaultAuthService.prototype, 'onModuleDestroy');
    sut = await boot({
      env: 'test',
      dataDir,
      vault: {
        addr: 'http://127.0.0.1:9', // discard port: nothing listens
        auth: { kind: 'token', token: 'hvs.module-spec-token-xyz' },
        transitMount: 'transit',
        piiKey: 'bloomdesk-pii',
        blindIndexKey: 'bloomdesk-blind-index',
        kvMount: 'secret',
        timeoutMs: 200,
      },
    });
    const provider = sut.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
    expect(provider.kind).toBe('vault-transit');
    expect(init).toHaveBeenCalledTimes(1);
    await expect(provider.health()).resolves.toMatchObject({ up: false });
    await sut.close();
    sut = undefined;
    expect(destroy).toHaveBeenCalledTimes(1);
  });
});
