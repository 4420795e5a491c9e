import { Logger } from '@nestjs/common';
import type { VaultConfig } from '../../config/app-config';
import type { VaultAuthApi } from './hashi-vault.client';
import { SecretsErrorCode } from './secrets.errors';
import { VaultAuthService } from './vault-auth.service';

const ROLE_ID = 'role-id-3f1e2d';
const SECRET_ID = 'secret-id-9a8b7c6d';
const STATIC = 'hvs.static-token-abcdefgh';

function appRoleConfig(): VaultConfig {
  return { addr: 'http://vault', timeoutMs: 100, auth: { kind: 'approle', roleId: ROLE_ID, secretId: SECRET_ID } } as VaultConfig;
}
function tokenConfig(): VaultConfig {
  return { addr: 'http://vault', timeoutMs: 100, auth: { kind: 'token', token: STATIC } } as VaultConfig;
}

/** What hashi-vault-js throws: an axios error that carries the token and body. */
function leakyError(status: number, token: string) {
  return Object.assign(new Error(`failed with ${token} ${SECRET_ID}`), {
    config: { headers: { 'X-Vault-Token': token }, data: { secret_id: SECRET_ID } },
    response: { status, data: { errors: [status >= 500 ? 'Vault is sealed' : 'permission denied'] } },
  });
}

describe(VaultAuthService.name, () => {
  type Call<A extends unknown[]> = jest.Mock<Promise<unknown>, A>;
  let api: { loginWithAppRole: Call<[string, string]>; lookupSelfToken: Call<[string]>; renewSelfToken: Call<[string]> };
  let logs: string[];
  let logins: number;
  let sut: VaultAuthService;

  beforeEach(() => {
    jest.useFakeTimers();
    logs = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logs.push(String(args[0]));
      });
    }
    logins = 0;
    api = {
      loginWithAppRole: jest.fn(async (_roleId: string, _secretId: string) => ({ client_token: `hvs.approle-token-${++logins}`, lease_duration: 60, renewable: true })),
      lookupSelfToken: jest.fn(async (_token: string) => ({ ttl: 60, creation_ttl: 60, renewable: true })),
      renewSelfToken: jest.fn(async (token: string) => ({ client_token: token, lease_duration: 60, renewable: true })),
    };
  });

  afterEach(() => {
    sut?.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('AppRole', () => {
    beforeEach(() => {
      sut = new VaultAuthService(appRoleConfig(), api satisfies VaultAuthApi);
    });

    it('logs in at init and renews at two thirds of the TTL', async () => {
      await sut.onModuleInit();
      await expect(sut.token()).resolves.toBe('hvs.approle-token-1');
      expect(api.loginWithAppRole).toHaveBeenCalledWith(ROLE_ID, SECRET_ID);
      await jest.advanceTimersByTimeAsync(39_000);
      expect(api.renewSelfToken).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(api.renewSelfToken).toHaveBeenCalledWith('hvs.approle-token-1');
      await jest.advanceTimersByTimeAsync(40_000);
      expect(api.renewSelfToken).toHaveBeenCalledTimes(2);
      expect(api.loginWithAppRole).toHaveBeenCalledTimes(1);
    });

    it('logs in again when renewal fails', async () => {
      api.renewSelfToken.mockRejectedValue(leakyError(403, 'hvs.approle-token-1'));
      await sut.onModuleInit();
      await jest.advanceTimersByTimeAsync(40_000);
      await expect(sut.token()).resolves.toBe('hvs.approle-token-2');
    });

    it('logs in again when a renewal shows the max TTL is near', async () => {
      api.renewSelfToken.mockImplementation(async (token) => ({ client_token: token, lease_duration: 20, renewable: true }));
      await sut.onModuleInit();
      await jest.advanceTimersByTimeAsync(40_000);
      await expect(sut.token()).resolves.toBe('hvs.approle-token-2');
    });

    it('replaces a non-renewable token before it expires', async () => {
      api.loginWithAppRole.mockImplementation(async () => ({ client_token: `hvs.approle-token-${++logins}`, lease_duration: 30, renewable: false }));
      await sut.onModuleInit();
      await jest.advanceTimersByTimeAsync(20_000);
      expect(api.renewSelfToken).not.toHaveBeenCalled();
      await expect(sut.token()).resolves.toBe('hvs.approle-token-2');
    });

    it('starts even when Vault is down, then logs in in the background', async () => {
      api.loginWithAppRole.mockRejectedValueOnce(leakyError(503, 'none'));
      await expect(sut.onModuleInit()).resolves.toBeUndefined();
      await jest.advanceTimersByTimeAsync(1_000);
      await expect(sut.token()).resolves.toBe('hvs.approle-token-1');
    });

    it('answers Unavailable while Vault stays down', async () => {
      api.loginWithAppRole.mockRejectedValue(leakyError(503, 'none'));
      await sut.onModuleInit();
      await expect(sut.token()).rejects.toMatchObject({ code: SecretsErrorCode.Unavailable, meta: { status: 503 } });
    });

    it('shares one login between concurrent callers', async () => {
      await expect(Promise.all([sut.token(), sut.token(), sut.token()])).resolves.toEqual(Array(3).fill('hvs.approle-token-1'));
      expect(api.loginWithAppRole).toHaveBeenCalledTimes(1);
    });

    it('logs in again after a 403 when the token is dead, once for all callers holding it', async () => {
      api.lookupSelfToken.mockRejectedValue(leakyError(403, 'hvs.approle-token-1'));
      await sut.onModuleInit();
      await expect(Promise.all([sut.recoverFromDenied('hvs.approle-token-1'), sut.recoverFromDenied('hvs.approle-token-1')])).resolves.toEqual([true, true]);
      await expect(sut.token()).resolves.toBe('hvs.approle-token-2');
      expect(api.loginWithAppRole).toHaveBeenCalledTimes(2);
      expect(api.lookupSelfToken).toHaveBeenCalledTimes(1);
    });

    it('does not log in again after a 403 when the token is alive (a policy problem)', async () => {
      await sut.onModuleInit();
      await expect(sut.recoverFromDenied('hvs.approle-token-1')).resolves.toBe(false);
      expect(api.loginWithAppRole).toHaveBeenCalledTimes(1);
    });

    it('never logs the token, the role id or the secret id', async () => {
      api.renewSelfToken.mockRejectedValue(leakyError(403, 'hvs.approle-token-1'));
      api.loginWithAppRole.mockRejectedValueOnce(leakyError(400, 'none'));
      await sut.onModuleInit();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(logs.length).toBeGreaterThan(2);
      for (const secret of ['hvs.approle-token', ROLE_ID, SECRET_ID]) expect(logs.join('\n')).not.toContain(secret);
    });

    it('clears its timer on module destroy', async () => {
      await sut.onModuleInit();
      expect(jest.getTimerCount()).toBe(1);
      sut.onModuleDestroy();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('static token', () => {
    beforeEach(() => {
      sut = new VaultAuthService(tokenConfig(), api satisfies VaultAuthApi);
    });

    it('looks the token up and renews it when renewable', async () => {
      await sut.onModuleInit();
      expect(api.lookupSelfToken).toHaveBeenCalledWith(STATIC);
      await jest.advanceTimersByTimeAsync(40_000);
      expect(api.renewSelfToken).toHaveBeenCalledWith(STATIC);
      await expect(sut.token()).resolves.toBe(STATIC);
    });

    it('keeps the token and retries when a renewal fails', async () => {
      api.renewSelfToken.mockRejectedValueOnce(leakyError(503, STATIC));
      await sut.onModuleInit();
      await jest.advanceTimersByTimeAsync(40_000);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(api.renewSelfToken).toHaveBeenCalledTimes(2);
      await expect(sut.token()).resolves.toBe(STATIC);
      expect(logs.join('\n')).not.toContain(STATIC);
    });

    it('sets no timer for a token that never expires', async () => {
      api.lookupSelfToken.mockResolvedValue({ ttl: 0, renewable: false });
      await sut.onModuleInit();
      expect(jest.getTimerCount()).toBe(0);
      await expect(sut.token()).resolves.toBe(STATIC);
    });

    it('cannot recover from a 403', async () => {
      await sut.onModuleInit();
      await expect(sut.recoverFromDenied(STATIC)).resolves.toBe(false);
    });
  });
});
