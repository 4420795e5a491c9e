import { type OwnOpenBao, startOpenBao } from '../support/own-openbao';

// The policies and transit settings of docker/vault/ against a live OpenBao: a server
// of this suite's own, configured by the same configure.sh as production, because
// a policy that wrongly allowed key deletion would delete the key (never try that on
// the shared dev server). Each denial is asked with the app's own AppRole token.

const PII = 'bloomdesk-pii';
const BLIND = 'bloomdesk-blind-index';
const TENANT = '0190a1b2-0000-7000-8000-0000000000aa';
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('Vault policies and transit settings (OpenBao, docker/vault/)', () => {
  let bao: OwnOpenBao;
  let appToken: string;
  let rotatorToken: string;

  /** One call with `token`; never throws on a Vault error, so a test can expect 403. */
  async function as(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${bao.addr}/v1/${path}`, {
      method,
      headers: { 'x-vault-token': token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const app = (method: string, path: string, body?: unknown) => as(appToken, method, path, body);

  beforeAll(async () => {
    bao = await startOpenBao({ persistent: false });
    const login = await as('', 'POST', 'auth/approle/login', { role_id: bao.appRole.roleId, secret_id: bao.appRole.secretId });
    expect(login.body.auth.policies).toEqual(['bloomdesk-app', 'default']);
    appToken = login.body.auth.client_token;
    rotatorToken = await bao.rotatorToken();
  }, 30_000);

  afterAll(async () => {
    await bao?.close();
  });

  describe('disable_upsert', () => {
    it('never creates a key for a mistyped name: the app is refused, and even a root token only gets a 4xx', async () => {
      const item = { plaintext: b64('secret'), context: b64(TENANT) };
      const byApp = await app('POST', `transit/encrypt/${PII}-typo`, { batch_input: [item] });
      expect(byApp.status).toBe(403); // outside the app's policy
      // The policy would not stop a token allowed everywhere: disable_upsert does.
      const byRoot = await as(bao.rootToken, 'POST', `transit/encrypt/${PII}-typo`, { batch_input: [item] });
      expect(byRoot.status).toBeGreaterThanOrEqual(400);
      expect(byRoot.status).toBeLessThan(500);
      expect(byRoot.body.data?.batch_results?.[0]?.ciphertext).toBeUndefined();
      expect((await as(bao.rootToken, 'GET', `transit/keys/${PII}-typo`)).status).toBe(404);
      expect((await bao.api('GET', 'transit/config/keys')).data).toMatchObject({ disable_upsert: true });
    });
  });

  describe('bloomdesk-app (least privilege)', () => {
    it('may encrypt, decrypt, rewrap and HMAC with its keys, and read the PII key’s versions', async () => {
      const encrypted = await app('POST', `transit/encrypt/${PII}`, { batch_input: [{ plaintext: b64('Анна'), context: b64(TENANT) }] });
      expect(encrypted.status).toBe(200);
      const [{ ciphertext }] = encrypted.body.data.batch_results;
      const decrypted = await app('POST', `transit/decrypt/${PII}`, { batch_input: [{ ciphertext, context: b64(TENANT) }] });
      expect(Buffer.from(decrypted.body.data.batch_results[0].plaintext, 'base64').toString()).toBe('Анна');
      const rewrapped = await app('POST', `transit/rewrap/${PII}`, { batch_input: [{ ciphertext, context: b64(TENANT) }] });
      expect(rewrapped.body.data.batch_results[0].ciphertext).toMatch(/^vault:v1:/);
      const hmac = await app('POST', `transit/hmac/${BLIND}/sha2-256`, { batch_input: [{ input: b64('+79161234567') }] });
      expect(hmac.body.data.batch_results[0].hmac).toMatch(/^vault:v1:/);
      expect((await app('GET', `transit/keys/${PII}`)).body.data).toMatchObject({ latest_version: 1, exportable: false, deletion_allowed: false });
    });

    it('may write, read and delete KV v2 secrets under bloomdesk/tenants/', async () => {
      const path = `bloomdesk/tenants/${TENANT}/integrations/terminal`;
      expect((await app('POST', `secret/data/${path}`, { data: { value: 'sk_live_1' } })).status).toBe(200);
      expect((await app('GET', `secret/data/${path}`)).body.data.data).toEqual({ value: 'sk_live_1' });
      expect((await app('DELETE', `secret/metadata/${path}`)).status).toBe(204);
      expect((await app('GET', `secret/data/${path}`)).status).toBe(404);
    });

    // Rows as [what, method, path, body?]; spread into one object so jest does not take a missing body for `done`.
    it.each(
      (
        [
          ['export the PII key', 'GET', `transit/export/encryption-key/${PII}`],
          ['export the blind-index key', 'GET', `transit/export/hmac-key/${BLIND}`],
          ['back up the PII key', 'GET', `transit/backup/${PII}`],
          ['delete the PII key', 'DELETE', `transit/keys/${PII}`],
          ['allow deleting the PII key', 'POST', `transit/keys/${PII}/config`, { deletion_allowed: true }],
          ['make the PII key exportable', 'POST', `transit/keys/${PII}/config`, { exportable: true, allow_plaintext_backup: true }],
          ['raise the minimum decryption version', 'POST', `transit/keys/${PII}/config`, { min_decryption_version: 1 }],
          ['rotate the PII key', 'POST', `transit/keys/${PII}/rotate`, {}],
          ['rotate the blind-index key', 'POST', `transit/keys/${BLIND}/rotate`, {}],
          ['trim old key versions', 'POST', `transit/keys/${PII}/trim`, { min_available_version: 1 }],
          ['create a key', 'POST', 'transit/keys/bloomdesk-other', {}],
          ['decrypt with the blind-index key', 'POST', `transit/decrypt/${BLIND}`, { ciphertext: 'vault:v1:AAAA' }],
          ['change transit settings', 'POST', 'transit/config/keys', { disable_upsert: false }],
          ['read KV outside its path', 'GET', 'secret/data/bloomdesk/other'],
          ['write KV outside its path', 'POST', 'secret/data/payments/keys', { data: { value: 'x' } }],
          ['list KV outside its path', 'GET', 'secret/metadata/?list=true'],
          ['delete KV metadata outside its path', 'DELETE', 'secret/metadata/bloomdesk/other'],
          ['read policies', 'GET', 'sys/policies/acl/bloomdesk-app'],
          ['make itself a new secret id', 'POST', 'auth/approle/role/bloomdesk-app/secret-id', {}],
          ['make tokens', 'POST', 'auth/token/create', { policies: ['bloomdesk-rotator'] }],
        ] as Array<[string, string, string, unknown?]>
      ).map(([what, method, path, body]) => ({ what, method, path, body })),
    )('may not $what (403)', async ({ method, path, body }) => {
      const res = await app(method, path, body);
      expect({ status: res.status, errors: res.body?.errors }).toEqual({ status: 403, errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    });

    it('left the keys as they were after every refused call', async () => {
      for (const key of [PII, BLIND]) {
        expect((await bao.api('GET', `transit/keys/${key}`)).data).toMatchObject({ latest_version: 1, min_decryption_version: 1, exportable: false, deletion_allowed: false, allow_plaintext_backup: false });
      }
    });
  });

  describe('bloomdesk-rotator', () => {
    it('may rotate the PII key and set its minimum versions, nothing else', async () => {
      const rotator = (method: string, path: string, body?: unknown) => as(rotatorToken, method, path, body);
      expect((await rotator('POST', `transit/keys/${PII}/rotate`, {})).status).toBe(200);
      expect((await rotator('POST', `transit/keys/${PII}/config`, { min_encryption_version: 0 })).status).toBeLessThan(300);
      for (const [method, path, body] of [
        ['POST', `transit/keys/${PII}/config`, { deletion_allowed: true }],
        ['POST', `transit/keys/${PII}/config`, { exportable: true }],
        ['POST', `transit/keys/${BLIND}/rotate`, {}],
        ['POST', `transit/decrypt/${PII}`, { ciphertext: 'vault:v1:AAAA', context: b64(TENANT) }],
        ['GET', `transit/export/encryption-key/${PII}`],
        ['DELETE', `transit/keys/${PII}`],
      ] as const) {
        expect({ method, path, status: (await rotator(method, path, body)).status }).toEqual({ method, path, status: 403 });
      }
      expect((await bao.api('GET', `transit/keys/${PII}`)).data).toMatchObject({ latest_version: 2, deletion_allowed: false, exportable: false });
    });
  });
});
