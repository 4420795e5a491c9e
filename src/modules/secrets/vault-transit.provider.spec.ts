import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VaultConfig } from '../../config/app-config';
import { createVaultHealthApi, type VaultHealthApi } from './hashi-vault.client';
import { SecretsError, SecretsErrorCode } from './secrets.errors';
import type { VaultTransitClient } from './vault-transit.client';
import { VaultTransitProvider } from './vault-transit.provider';

const TENANT = '0190a1b2-0000-7000-8000-00000000000a';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe(VaultTransitProvider.name, () => {
  let transit: jest.Mocked<Pick<VaultTransitClient, 'encrypt' | 'decrypt' | 'hmac'>>;
  let vault: jest.Mocked<VaultHealthApi>;
  let sut: VaultTransitProvider;
  const config = { piiKey: 'bloomdesk-pii', blindIndexKey: 'bloomdesk-blind-index' } as VaultConfig;

  beforeEach(() => {
    transit = {
      encrypt: jest.fn(async (_key, items) => items.map((i) => `vault:v1:${i.plaintext}`)),
      decrypt: jest.fn(async (_key, items) => items.map((i) => i.ciphertext.slice(9))),
      hmac: jest.fn(async (_key, inputs) => inputs.map((i) => `vault:v1:h${i}`)),
    };
    vault = { health: jest.fn(async () => ({ initialized: true, sealed: false, standby: false })) };
    sut = new VaultTransitProvider(config, transit as unknown as VaultTransitClient, vault);
  });

  it('encrypts with the PII key, base64 plaintexts and the tenant id as context', async () => {
    await expect(sut.encrypt(TENANT, ['Анна', ''])).resolves.toEqual([`vault:v1:${b64('Анна')}`, 'vault:v1:']);
    expect(transit.encrypt).toHaveBeenCalledWith('bloomdesk-pii', [
      { plaintext: b64('Анна'), context: b64(TENANT) },
      { plaintext: '', context: b64(TENANT) },
    ]);
  });

  it('decrypts in the tenant context and decodes UTF-8', async () => {
    await expect(sut.decrypt(TENANT, [`vault:v1:${b64('🌷 rose')}`])).resolves.toEqual(['🌷 rose']);
    expect(transit.decrypt).toHaveBeenCalledWith('bloomdesk-pii', [{ ciphertext: `vault:v1:${b64('🌷 rose')}`, context: b64(TENANT) }]);
  });

  it('passes CiphertextInvalid through with its index', async () => {
    transit.decrypt.mockRejectedValue(SecretsError.ciphertextInvalid(3));
    await expect(sut.decrypt(TENANT, ['a', 'b', 'c', 'd'])).rejects.toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      meta: { index: 3 },
    });
  });

  it('builds the blind index from HMAC of base64(scope + value)', async () => {
    await expect(sut.blindIndex(TENANT, ['+79161234567'])).resolves.toEqual([`vault:v1:h${b64(`${TENANT}+79161234567`)}`]);
    expect(transit.hmac).toHaveBeenCalledWith('bloomdesk-blind-index', [b64(`${TENANT}+79161234567`)]);
  });

  it('requires a tenant id', async () => {
    await expect(sut.encrypt('', ['x'])).rejects.toThrow('tenant id');
    expect(transit.encrypt).not.toHaveBeenCalled();
  });

  describe('health', () => {
    it('is up when Vault is unsealed and an encrypt works', async () => {
      await expect(sut.health()).resolves.toEqual({ up: true });
      expect(transit.encrypt).toHaveBeenCalledTimes(1);
    });

    it('is down when sealed, without trying the token', async () => {
      vault.health.mockResolvedValue({ initialized: true, sealed: true, standby: false });
      await expect(sut.health()).resolves.toEqual({ up: false, detail: 'Vault is sealed.' });
      expect(transit.encrypt).not.toHaveBeenCalled();
    });

    it('is down when not initialized', async () => {
      vault.health.mockResolvedValue({ initialized: false, sealed: true, standby: false });
      await expect(sut.health()).resolves.toMatchObject({ up: false, detail: 'Vault is not initialized.' });
    });

    it('is down, never throwing, when the token is refused or Vault is unreachable', async () => {
      transit.encrypt.mockRejectedValue(SecretsError.unavailable('Vault transit encrypt failed: HTTP 403: permission denied.'));
      await expect(sut.health()).resolves.toEqual({ up: false, detail: 'Vault transit encrypt failed: HTTP 403: permission denied.' });
      vault.health.mockRejectedValue(new Error(`anything, even hvs.${'x'.repeat(24)}`));
      await expect(sut.health()).resolves.toEqual({ up: false, detail: 'Vault health check failed: no response.' });
    });

    describe('through hashi-vault-js, against a server answering sys/health', () => {
      let server: Server;
      let addr: string;
      let answer: { status: number; body: unknown } | 'hang';
      const paths: string[] = [];

      beforeAll(async () => {
        server = createServer((req, res) => {
          paths.push(req.url!);
          if (answer === 'hang') return;
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer.body));
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      afterAll(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });

      const real = (at: string) => new VaultTransitProvider(config, transit as unknown as VaultTransitClient, createVaultHealthApi({ ...config, addr: at, timeoutMs: 300 }));

      it('tells sealed, uninitialised and up apart, each answered 200 because of the *code parameters', async () => {
        answer = { status: 200, body: { initialized: true, sealed: true, standby: false } };
        await expect(real(addr).health()).resolves.toEqual({ up: false, detail: 'Vault is sealed.' });
        answer = { status: 200, body: { initialized: false, sealed: true } };
        await expect(real(addr).health()).resolves.toEqual({ up: false, detail: 'Vault is not initialized.' });
        answer = { status: 200, body: { initialized: true, sealed: false, standby: false } };
        await expect(real(addr).health()).resolves.toEqual({ up: true });
        expect(paths.at(-1)).toMatch(/^\/v1\/sys\/health\?.*sealedcode=200.*uninitcode=200/);
      });

      it('is down with a clean detail when Vault answers 5xx, hangs or refuses the connection', async () => {
        answer = { status: 503, body: { errors: ['Vault is sealed'] } };
        await expect(real(addr).health()).resolves.toEqual({ up: false, detail: 'Vault health check failed: HTTP 503: Vault is sealed.' });
        answer = 'hang';
        await expect(real(addr).health()).resolves.toEqual({ up: false, detail: 'Vault health check failed: no response (ECONNABORTED).' });
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((resolve) => closed.close(resolve));
        await expect(real(`http://127.0.0.1:${port}`).health()).resolves.toEqual({ up: false, detail: 'Vault health check failed: no response (ECONNREFUSED).' });
        expect(transit.encrypt).not.toHaveBeenCalled();
      });
    });
  });
});
