import { Logger } from '@nestjs/common';
import type { VaultConfig } from '../../src/config/app-config';
import { createVaultAuthApi } from '../../src/modules/secrets/hashi-vault.client';
import { SecretsErrorCode } from '../../src/modules/secrets/secrets.errors';
import { VaultAuthService } from '../../src/modules/secrets/vault-auth.service';
import { VaultTransitClient } from '../../src/modules/secrets/vault-transit.client';

// AppRole against the real OpenBao, through hashi-vault-js. The suite sets up its
// own role (idempotent) with a short TTL and max TTL so renewal and re-login happen
// within seconds.
const ADDR = (process.env.VAULT_ADDR ?? 'http://127.0.0.1:8200').replace(/\/$/, '');
const ROOT = 'bloomdesk-dev-root'; // the OpenBao dev server's, for set-up
const ROLE = 'bloomdesk-int-test';
const POLICY = 'bloomdesk-int-transit';
const PII_KEY = 'bloomdesk-pii';

async function root(method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  let res: Response;
  try {
    res = await fetch(`${ADDR}/v1/${path}`, {
      method,
      headers: { 'x-vault-token': ROOT, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
  } catch (error) {
    throw new Error(`OpenBao is not reachable at ${ADDR} (${(error as Error).message}); run scripts/services.sh first.`, { cause: error });
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`OpenBao set-up ${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

async function setUpAppRole(): Promise<{ roleId: string; secretId: string }> {
  const mounts = await root('GET', 'sys/auth');
  if (!('approle/' in (mounts.data ?? mounts))) await root('POST', 'sys/auth/approle', { type: 'approle' });
  const policy = `path "transit/encrypt/${PII_KEY}" { capabilities = ["update"] }\npath "transit/decrypt/${PII_KEY}" { capabilities = ["update"] }`;
  await root('PUT', `sys/policies/acl/${POLICY}`, { policy });
  await root('POST', `auth/approle/role/${ROLE}`, { token_ttl: '3s', token_max_ttl: '6s', token_policies: [POLICY] });
  const roleId = (await root('GET', `auth/approle/role/${ROLE}/role-id`)).data.role_id as string;
  const secretId = (await root('POST', `auth/approle/role/${ROLE}/secret-id`)).data.secret_id as string;
  return { roleId, secretId };
}

function config(auth: VaultConfig['auth']): VaultConfig {
  return { addr: ADDR, auth, transitMount: 'transit', piiKey: PII_KEY, blindIndexKey: 'bloomdesk-blind-index', kvMount: 'secret', timeoutMs: 3000 };
}

describe(`${VaultAuthService.name} (OpenBao)`, () => {
  let creds: { roleId: string; secretId: string };
  let sut: VaultAuthService | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    creds = await setUpAppRole();
  });

  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logs.push(String(args[0]));
      });
    }
  });

  afterEach(() => {
    sut?.onModuleDestroy();
    sut = undefined;
    jest.restoreAllMocks();
  });

  it('logs in with AppRole, renews, and logs in again at max TTL while encryption keeps working', async () => {
    const vaultConfig = config({ kind: 'approle', ...creds });
    sut = new VaultAuthService(vaultConfig, createVaultAuthApi(vaultConfig));
    const transit = new VaultTransitClient(vaultConfig, sut);
    await sut.onModuleInit();
    const first = await sut.token();
    const context = Buffer.from('tenant').toString('base64');
    await expect(transit.encrypt(PII_KEY, [{ plaintext: 'aGk=', context }])).resolves.toEqual([expect.stringMatching(/^vault:v/)]);

    // TTL 3 s: renewed at 2 s; max TTL 6 s: a renewal granting under half the TTL triggers a new login.
    const deadline = Date.now() + 9000;
    while ((await sut.token()) === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await expect(sut.token()).resolves.not.toBe(first);
    await expect(transit.encrypt(PII_KEY, [{ plaintext: 'aGk=', context }])).resolves.toHaveLength(1);
    expect(logs.join('\n')).not.toContain(first);
    expect(logs.join('\n')).not.toContain(creds.secretId);
  }, 15000);

  it('reports a wrong secret id as Unavailable without revealing it', async () => {
    const wrong = '00000000-1111-2222-3333-444444444444';
    const vaultConfig = config({ kind: 'approle', roleId: creds.roleId, secretId: wrong });
    sut = new VaultAuthService(vaultConfig, createVaultAuthApi(vaultConfig));
    const error: unknown = await sut.token().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: SecretsErrorCode.Unavailable, meta: { status: 400 } });
    const text = `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`;
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(creds.roleId);
  });

  it('accepts a static token after looking it up', async () => {
    const vaultConfig = config({ kind: 'token', token: ROOT });
    sut = new VaultAuthService(vaultConfig, createVaultAuthApi(vaultConfig));
    await sut.onModuleInit();
    await expect(sut.token()).resolves.toBe(ROOT);
    await expect(sut.recoverFromDenied(ROOT)).resolves.toBe(false);
  });
});
