import { randomBytes } from 'node:crypto';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import { IntegrationSecretService, SecretsError, SecretsErrorCode } from '../../src/modules/secrets';
import { IntegrationSecretRemovals } from '../../src/modules/secrets/integration-secret-removals';
import { INTEGRATION_VALUE_STORE, type IntegrationValueStore } from '../../src/modules/secrets/integration-value.store';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { VAULT_ADDR, VAULT_DEV_ROOT_TOKEN } from '../support/services-env';

const TYPE = 'integration-secrets';
const secretValue = () => `sk_live_${randomBytes(12).toString('hex')}`;
const document = (attributes: Record<string, unknown>, id?: string) => ({ data: { type: TYPE, ...(id && { id }), attributes } });

/** What Vault KV holds at the secret's path (services profile), read with the dev root token. */
async function kv(tenantId: string, id: string, what: 'data' | 'metadata' = 'data'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${VAULT_ADDR}/v1/secret/${what}/bloomdesk/tenants/${tenantId}/integrations/${id}`, { headers: { 'x-vault-token': VAULT_DEV_ROOT_TOKEN } });
  return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
}

describe(`integration-secrets: write-only credentials in Vault KV (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (s: Shop, attributes: Record<string, unknown>) => t.request('POST', `/api/v1/${TYPE}`, { token: s.accessToken, body: document(attributes) });
  const patch = (s: Shop, id: string, attributes: Record<string, unknown>) => t.request('PATCH', `/api/v1/${TYPE}/${id}`, { token: s.accessToken, body: document(attributes, id) });
  const row = async (s: Shop, id: string) => {
    const db = await t.app.get(ShardRegistry).dataSource(await shardOf(t, s.tenantId));
    const [found] = await db.query('SELECT * FROM integration_secrets WHERE tenant_id = ? AND id = ?', [s.tenantId, id]);
    return found as Record<string, unknown> | undefined;
  };
  /** The ids of the shop's deleted secrets whose value is still owed a removal from the value store. */
  const owedRemovals = async (s: Shop) => {
    const db = await t.app.get(ShardRegistry).dataSource(await shardOf(t, s.tenantId));
    return ((await db.query('SELECT id FROM integration_secret_removals WHERE tenant_id = ?', [s.tenantId])) as Array<{ id: string }>).map((r) => r.id);
  };
  /** The value as the server's own code gets it (no endpoint returns it). */
  const reveal = async (s: Shop, id: string) => t.app.get(IntegrationSecretService).reveal({ tenantId: s.tenantId, shardId: await shardOf(t, s.tenantId) } as never, id);

  it('stores the value where the profile keeps secrets and never returns it', async () => {
    const value = secretValue();
    const created = await post(shop, { name: 'Sber terminal', kind: 'payment-terminal', value });
    expect(created.status).toBe(201);
    const { id, attributes } = created.body.data;
    // Only these four, as the issue has it: never the value, nor anything else of the row.
    expect(attributes).toEqual({ name: 'Sber terminal', kind: 'payment-terminal', version: 1, updatedAt: expect.any(String) });
    const read = await t.request('GET', `/api/v1/${TYPE}/${id}`, { token: shop.accessToken });
    const list = await t.request('GET', `/api/v1/${TYPE}?filter[kind]=payment-terminal`, { token: shop.accessToken });
    expect(read.body.data.attributes).toEqual(attributes);
    expect(list.body.data.find((d: any) => d.id === id)?.attributes).toEqual(attributes);
    for (const text of [created.text, read.text, list.text, ...t.logs]) expect(text).not.toContain(value);

    const stored = await row(shop, id);
    expect(stored).toMatchObject({ name: 'Sber terminal', kind: 'payment-terminal', version: 1 });
    expect(JSON.stringify(stored)).not.toContain(value);
    if (PROFILE === 'services') {
      expect(stored!.value_ciphertext).toBeNull();
      const inVault = await kv(shop.tenantId, id);
      expect(inVault.body.data).toMatchObject({ data: { value }, metadata: { version: 1 } });
    } else {
      expect(stored!.value_ciphertext).toMatch(/^local:v\d+:/);
    }
    await expect(reveal(shop, id)).resolves.toBe(value);
  });

  it('makes a new version for a new value, and none for a new name', async () => {
    const first = secretValue();
    const second = secretValue();
    const { id } = (await post(shop, { name: 'SMS.ru', kind: 'sms-gateway', value: first })).body.data;
    const renamed = await patch(shop, id, { name: 'SMS.ru (main)' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.attributes).toMatchObject({ name: 'SMS.ru (main)', version: 1 });
    const changed = await patch(shop, id, { value: second, kind: 'other' });
    expect(changed.status).toBe(200);
    expect(changed.body.data.attributes).toMatchObject({ kind: 'other', version: 2 });
    expect(changed.text).not.toContain(second);
    await expect(reveal(shop, id)).resolves.toBe(second);
    if (PROFILE === 'services') {
      const meta = await kv(shop.tenantId, id, 'metadata');
      expect(meta.body.data).toMatchObject({ current_version: 2 });
      expect(Object.keys(meta.body.data.versions)).toEqual(['1', '2']);
    }
  });

  it('deletes the metadata and, on Vault, every version of the value', async () => {
    const { id } = (await post(shop, { name: 'Online shop', kind: 'online-shop', value: secretValue() })).body.data;
    expect((await t.request('DELETE', `/api/v1/${TYPE}/${id}`, { token: shop.accessToken })).status).toBe(204);
    expect((await t.request('GET', `/api/v1/${TYPE}/${id}`, { token: shop.accessToken })).status).toBe(404);
    expect(await row(shop, id)).toBeUndefined();
    expect(await owedRemovals(shop)).toEqual([]);
    if (PROFILE === 'services') expect((await kv(shop.tenantId, id, 'metadata')).status).toBe(404);
  });

  it('deletes without waiting for Vault: a value Vault could not forget stays owed until a sweep removes it', async () => {
    const value = secretValue();
    const { id } = (await post(shop, { name: 'Removed later', kind: 'other', value })).body.data;
    const store = t.app.get<IntegrationValueStore>(INTEGRATION_VALUE_STORE);
    const refused = jest.spyOn(store, 'remove').mockRejectedValueOnce(new SecretsError(SecretsErrorCode.Unavailable, 'Vault is not answering.'));
    try {
      expect((await t.request('DELETE', `/api/v1/${TYPE}/${id}`, { token: shop.accessToken })).status).toBe(204);
      expect(refused).toHaveBeenCalledWith(shop.tenantId, id);
    } finally {
      refused.mockRestore();
    }
    expect((await t.request('GET', `/api/v1/${TYPE}/${id}`, { token: shop.accessToken })).status).toBe(404);
    expect(await row(shop, id)).toBeUndefined();
    expect(await owedRemovals(shop)).toEqual([id]);
    if (PROFILE === 'services') expect((await kv(shop.tenantId, id)).body.data.data).toEqual({ value });

    expect(await t.app.get(IntegrationSecretRemovals).sweep()).toBeGreaterThanOrEqual(1);

    expect(await owedRemovals(shop)).toEqual([]);
    if (PROFILE === 'services') expect((await kv(shop.tenantId, id, 'metadata')).status).toBe(404);
  });

  it("creates a secret under a deleted one's id from nothing: the old value goes first", async () => {
    const id = uuid7();
    const old = secretValue();
    expect((await t.request('POST', `/api/v1/${TYPE}`, { token: shop.accessToken, body: document({ name: 'Reused id', kind: 'other', value: old }, id) })).status).toBe(201);
    const store = t.app.get<IntegrationValueStore>(INTEGRATION_VALUE_STORE);
    const refused = jest.spyOn(store, 'remove').mockRejectedValueOnce(new SecretsError(SecretsErrorCode.Unavailable, 'Vault is not answering.'));
    try {
      await t.request('DELETE', `/api/v1/${TYPE}/${id}`, { token: shop.accessToken });
    } finally {
      refused.mockRestore();
    }
    expect(await owedRemovals(shop)).toEqual([id]);

    const value = secretValue();
    const again = await t.request('POST', `/api/v1/${TYPE}`, { token: shop.accessToken, body: document({ name: 'Reused id', kind: 'other', value }, id) });

    expect(again.status).toBe(201);
    expect(again.body.data.attributes.version).toBe(1);
    expect(await owedRemovals(shop)).toEqual([]);
    await expect(reveal(shop, id)).resolves.toBe(value);
    if (PROFILE === 'services') expect(Object.keys((await kv(shop.tenantId, id, 'metadata')).body.data.versions)).toEqual(['1']);
    // A sweep now finds nothing of it to remove.
    await t.app.get(IntegrationSecretRemovals).sweep();
    await expect(reveal(shop, id)).resolves.toBe(value);
  });

  it('replays an idempotent create without a second version, and stores no value with the answer', async () => {
    const value = secretValue();
    const headers = { 'idempotency-key': `integration-${randomBytes(4).toString('hex')}` };
    const body = document({ name: 'Idempotent terminal', kind: 'payment-terminal', value });
    const first = await t.request('POST', `/api/v1/${TYPE}`, { token: shop.accessToken, body, headers });
    const again = await t.request('POST', `/api/v1/${TYPE}`, { token: shop.accessToken, body, headers });
    expect([first.status, again.status, again.headers['idempotency-replayed']]).toEqual([201, 201, 'true']);
    expect(again.body.data).toEqual(first.body.data);
    expect(again.body.data.attributes.version).toBe(1);
    if (PROFILE === 'services') expect((await kv(shop.tenantId, first.body.data.id, 'metadata')).body.data.current_version).toBe(1);
  });

  it.each([
    ['a value over 8192 characters', { name: 'Too long', kind: 'other', value: 'x'.repeat(8193) }, 422, '/data/attributes/value'],
    ['an empty value', { name: 'Empty', kind: 'other', value: '' }, 422, '/data/attributes/value'],
    ['no value', { name: 'No value', kind: 'other' }, 422, '/data/attributes/value'],
    ['an unknown kind', { name: 'Kind', kind: 'bank', value: 'v' }, 422, '/data/attributes/kind'],
    ['a version', { name: 'Version', kind: 'other', value: 'v', version: 7 }, 403, '/data/attributes/version'],
  ])('refuses %s and writes nothing', async (_what, attributes, status, pointer) => {
    const before = (await t.request('GET', `/api/v1/${TYPE}`, { token: shop.accessToken })).body.meta.total;
    const res = await post(shop, attributes);
    expect(res.status).toBe(status);
    expect(res.body.errors[0].source.pointer).toBe(pointer);
    expect((await t.request('GET', `/api/v1/${TYPE}`, { token: shop.accessToken })).body.meta.total).toBe(before);
  });

  it('refuses a second secret with the same name with 409, before anything reaches Vault', async () => {
    const value = secretValue();
    await post(shop, { name: 'Twice', kind: 'other', value: secretValue() });
    const res = await post(shop, { name: 'Twice', kind: 'sms-gateway', value });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ code: 'integration-name-taken', source: { pointer: '/data/attributes/name' } });
    expect(res.text).not.toContain(value);
  });

  it("is the owner's alone: another role gets 403, another shop 404, and the secret stays whole", async () => {
    const value = secretValue();
    const { id } = (await post(shop, { name: 'Owner only', kind: 'payment-terminal', value })).body.data;
    const other = await newShop(t);
    for (const [method, body] of [['GET'], ['PATCH', document({ value: secretValue() }, id)], ['DELETE']] as const) {
      const res = await t.request(method, `/api/v1/${TYPE}/${id}`, { token: other.accessToken, body });
      expect({ method, status: res.status }).toEqual({ method, status: 404 });
    }
    const manager = await newShop(t);
    await t.app.get(CatalogDatabase).dataSource.query("UPDATE users SET role = 'manager' WHERE tenant_id = ?", [manager.tenantId]);
    expect((await t.request('GET', `/api/v1/${TYPE}`, { token: manager.accessToken })).status).toBe(403);
    expect((await post(manager, { name: 'Manager', kind: 'other', value: 'v' })).status).toBe(403);
    await expect(reveal(shop, id)).resolves.toBe(value);
    expect((await row(shop, id))!.version).toBe(1);
  });
});
