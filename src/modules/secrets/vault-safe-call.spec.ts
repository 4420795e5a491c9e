import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { createVaultAuthApi } from './hashi-vault.client';
import { SecretsError, SecretsErrorCode } from './secrets.errors';
import { vaultSafeCall } from './vault-safe-call';

const TOKEN = 'hvs.CAESIJ7bQxLeakedTokenValue0123456789abcdef';
const CUSTOM_TOKEN = 'bloomdesk-dev-root';
const SECRET_ID = '6d2a1c9e-8f5b-4a7d-9e3c-1b2a3c4d5e6f';

/** Shaped like the axios errors hashi-vault-js 0.5.1 throws, with the token everywhere it can be. */
function leakyAxiosError(status: number | undefined): Error {
  const error = new Error(`Request failed with status code ${status} for token ${TOKEN} and ${CUSTOM_TOKEN}`) as Error & Record<string, unknown>;
  const headers = { 'X-Vault-Token': TOKEN, 'X-Other': CUSTOM_TOKEN };
  const data = JSON.stringify({ role_id: 'role', secret_id: SECRET_ID });
  error.code = status ? 'ERR_BAD_REQUEST' : 'ECONNREFUSED';
  error.config = { headers, data, url: '/auth/approle/login' };
  error.request = { _header: `POST /v1/auth/approle/login\r\nX-Vault-Token: ${TOKEN}\r\n` };
  error.isVaultError = true;
  if (status) {
    error.response = {
      status,
      headers: { 'set-cookie': TOKEN },
      config: error.config,
      data: { errors: [`invalid secret id ${SECRET_ID}`, `token ${TOKEN} is bad`, `and ${CUSTOM_TOKEN} too`] },
    };
  }
  return error;
}

function everythingAbout(error: unknown): string {
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack,
    JSON.stringify(error),
    inspect(error, { showHidden: true, depth: null }),
    inspect((error as { cause?: unknown }).cause, { showHidden: true, depth: null }),
  ].join('\n');
}

describe(vaultSafeCall.name, () => {
  it('passes a result through', async () => {
    await expect(vaultSafeCall('token lookup', async () => ({ ttl: 60 }))).resolves.toEqual({ ttl: 60 });
  });

  it.each([400, 403, 503])('keeps only the status and redacted Vault messages of an HTTP %s failure', async (status) => {
    const sut = vaultSafeCall('AppRole login', () => Promise.reject(leakyAxiosError(status)), [CUSTOM_TOKEN]);
    const error: unknown = await sut.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsError);
    expect(error).toMatchObject({ code: SecretsErrorCode.Unavailable, meta: { operation: 'AppRole login', status } });
    expect((error as Error).message).toContain(`HTTP ${status}: invalid secret id [redacted]; token [redacted] is bad`);
    const text = everythingAbout(error);
    for (const secret of [TOKEN, CUSTOM_TOKEN, SECRET_ID, 'LeakedTokenValue']) expect(text).not.toContain(secret);
    expect((error as { cause?: unknown }).cause).toBeUndefined();
  });

  it('reports a connection failure by its code only', async () => {
    const error: unknown = await vaultSafeCall('token renewal', () => Promise.reject(leakyAxiosError(undefined))).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Vault token renewal failed: no response (ECONNREFUSED).');
    expect(everythingAbout(error)).not.toContain(TOKEN);
  });

  it('survives odd throwables and synchronous throws', async () => {
    await expect(vaultSafeCall('x', () => Promise.reject(TOKEN))).rejects.toThrow('Vault x failed: no response.');
    await expect(
      vaultSafeCall('x', () => {
        throw new TypeError(`boom ${TOKEN}`);
      }),
    ).rejects.toThrow(/^Vault x failed: no response\.$/);
  });

  describe('with the real hashi-vault-js', () => {
    let server: Server;
    let addr: string;
    const seen: string[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen.push(`${String(req.headers['x-vault-token'])} ${body}`);
          res.writeHead(req.url?.includes('approle') ? 400 : 403, { 'content-type': 'application/json' });
          // A hostile or buggy server echoing what it got.
          res.end(JSON.stringify({ errors: [`rejected ${body} with ${String(req.headers['x-vault-token'])}`] }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('redacts the token and secret id from what the library throws', async () => {
      const api = createVaultAuthApi({ addr, timeoutMs: 1000 } as never);
      const renew = await vaultSafeCall('token renewal', () => api.renewSelfToken(CUSTOM_TOKEN), [CUSTOM_TOKEN]).catch((e: unknown) => e);
      const login = await vaultSafeCall('AppRole login', () => api.loginWithAppRole('role-1', SECRET_ID), [SECRET_ID]).catch(
        (e: unknown) => e,
      );
      expect(seen).toEqual([expect.stringContaining(CUSTOM_TOKEN), expect.stringContaining(SECRET_ID)]);
      expect(renew).toMatchObject({ meta: { status: 403 } });
      expect(login).toMatchObject({ meta: { status: 400 } });
      expect(everythingAbout(renew)).not.toContain(CUSTOM_TOKEN);
      expect(everythingAbout(login)).not.toContain(SECRET_ID);
    });
  });
});
