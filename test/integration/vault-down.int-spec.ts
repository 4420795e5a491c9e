import { randomInt } from 'node:crypto';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { type Shop, freshIp, loginDocument, newShop, shardOf, signupDocument } from '../support/fixtures';
import { type OwnOpenBao, startOpenBao } from '../support/own-openbao';
import { ENCRYPTION_PROVIDER } from '../../src/modules/secrets/encryption.provider';
import type { DecryptionCache } from '../../src/modules/secrets/decryption-cache';

// OpenBao stops while the app runs: a server of this suite's own (raft storage,
// initialised and unsealed here), never the shared dev server, whose keys live in
// memory only. Frozen (SIGSTOP: connections hang) and killed (SIGKILL: refused),
// then started again and unsealed; the app recovers without a restart.

const TIMEOUT_MS = 1000;
const phone = () => `+7 916 ${randomInt(1_000_000, 9_999_999)}`;

describe('Vault down: sensitive endpoints answer 503, the rest works, nothing falls back to plaintext (OpenBao)', () => {
  let bao: OwnOpenBao;
  let t: TestApp;
  let shop: Shop;
  let supplierId: string;
  const supplierPhone = phone();

  beforeAll(async () => {
    bao = await startOpenBao({ persistent: true });
    t = await bootApp({
      VAULT_ADDR: bao.addr,
      VAULT_ROLE_ID: bao.appRole.roleId,
      VAULT_SECRET_ID: bao.appRole.secretId,
      VAULT_TIMEOUT_MS: String(TIMEOUT_MS),
      KEY_REWRAP_INTERVAL_SECONDS: '0',
    });
    shop = await newShop(t);
    supplierId = (await request('POST', '/api/v1/suppliers', { data: { type: 'suppliers', attributes: { name: 'With phone', contactPhone: supplierPhone } } })).body.data.id;
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await bao?.close();
  });

  function request(method: string, url: string, body?: unknown, headers?: Record<string, string>) {
    return t.request(method, url, { token: shop.accessToken, body, headers });
  }

  /** Rows of this shop holding `text` anywhere, by plain SQL over the tables a write could touch. */
  async function storedAnywhere(text: string): Promise<number> {
    const db = await t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
    let hits = 0;
    for (const table of ['suppliers', 'integration_secrets', 'idempotency_records']) {
      const rows: Array<Record<string, unknown>> = await db.query(`SELECT * FROM ${table} WHERE tenant_id = ?`, [shop.tenantId]);
      hits += rows.filter((row) => JSON.stringify(row).includes(text)).length;
    }
    return hits;
  }

  const supplier = (name: string, contactPhone: string | null) => ({ data: { type: 'suppliers', attributes: { name, contactPhone } } });
  const product = (name: string) => ({ data: { type: 'products', attributes: { name, kind: 'flower', unit: 'stem', price: 15000 } } });

  /** Sent together, so each answer's time is its own: all must be 503 within `deadlineMs`. */
  async function expectSensitiveRefused(deadlineMs: number) {
    // A value this server decrypted lately is still served from its memory; this read must need Vault.
    t.app.get<DecryptionCache>(ENCRYPTION_PROVIDER).clear();
    const newPhone = phone();
    const checks: Array<[string, () => Promise<TestResponse>]> = [
      ['read a decrypted phone', () => request('GET', `/api/v1/suppliers/${supplierId}`)],
      ['write a phone', () => request('POST', '/api/v1/suppliers', supplier('New during outage', newPhone))],
      ['write a credential', () => request('POST', '/api/v1/integration-secrets', { data: { type: 'integration-secrets', attributes: { name: 'Outage', kind: 'other', value: newPhone } } })],
      ['store an idempotent answer', () => request('POST', '/api/v1/products', product('Idempotent during outage'), { 'idempotency-key': `outage-${randomInt(1e9)}` })],
      ['sign up', () => t.request('POST', '/api/v1/signup', { body: signupDocument(), ip: freshIp() })],
      ['log in', () => t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() })],
    ];
    const started = Date.now();
    const answers = await Promise.all(checks.map(async ([what, send]) => ({ what, res: await send(), ms: Date.now() - started })));
    for (const { what, res, ms } of answers) {
      expect({ what, status: res.status, code: res.body?.errors?.[0]?.code }).toEqual({ what, status: 503, code: 'secrets-unavailable' });
      expect({ what, withinDeadline: ms < deadlineMs }).toEqual({ what, withinDeadline: true });
    }
    // Nothing was kept in the clear, nor at all.
    expect(await storedAnywhere(newPhone)).toBe(0);
    const products = await request('GET', '/api/v1/products?filter[name]=Idempotent during outage');
    expect(products.body.meta.total).toBe(0);
    return Math.max(...answers.map((a) => a.ms));
  }

  async function expectTheRestWorks() {
    const checks: Array<[string, Promise<TestResponse>, number]> = [
      ['list stores', request('GET', '/api/v1/stores'), 200],
      ['create a store', request('POST', '/api/v1/stores', { data: { type: 'stores', attributes: { name: `Store ${randomInt(1e6)}`, timeZone: 'Europe/Moscow' } } }), 201],
      ['create a product', request('POST', '/api/v1/products', product(`Rose ${randomInt(1e6)}`)), 201],
      ['list products', request('GET', '/api/v1/products'), 200],
      ['a supplier without a phone', request('POST', '/api/v1/suppliers', supplier('No phone', null)), 201],
      ['credentials metadata', request('GET', '/api/v1/integration-secrets'), 200],
    ];
    for (const [what, pending, status] of checks) expect({ what, status: (await pending).status }).toEqual({ what, status });
  }

  it('answers 503 within the timeout while OpenBao hangs, and serves everything else', async () => {
    bao.freeze();
    try {
      // A hung Vault costs each request its timeout, and no more.
      expect(await expectSensitiveRefused(TIMEOUT_MS + 1000)).toBeGreaterThanOrEqual(TIMEOUT_MS);
      await expectTheRestWorks();
      const health = await t.request('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body.error).toHaveProperty('encryption');
    } finally {
      bao.thaw();
    }
    expect((await request('GET', `/api/v1/suppliers/${supplierId}`)).body.data.attributes.contactPhone).toBe(supplierPhone);
  }, 20_000);

  /** Deletes a store while Vault is down, from an address of its own: the deletion needs no Vault. */
  async function deleteStoreDuringOutage() {
    const store = await request('POST', '/api/v1/stores', { data: { type: 'stores', attributes: { name: `Doomed ${randomInt(1e6)}`, timeZone: 'Europe/Moscow' } } });
    expect(store.status).toBe(201);
    const ip = freshIp();
    expect((await t.request('DELETE', `/api/v1/stores/${store.body.data.id}`, { token: shop.accessToken, ip })).status).toBe(204);
    // The log holds addresses encrypted: reading it needs Vault, and says so (not a 500).
    t.app.get<DecryptionCache>(ENCRYPTION_PROVIDER).clear();
    const log = await request('GET', '/api/v1/audit-events');
    expect({ status: log.status, code: log.body?.errors?.[0]?.code }).toEqual({ status: 503, code: 'secrets-unavailable' });
    return { storeId: store.body.data.id as string, ip };
  }

  /** The deletion is on record, its address withheld: null in the API, and nowhere in the row. */
  async function expectDeletionRecordedWithoutAddress({ storeId, ip }: { storeId: string; ip: string }) {
    // Written after the answer: give it a moment.
    let event: any;
    for (let tries = 0; !event && tries < 20; tries++) {
      if (tries) await new Promise((resolve) => setTimeout(resolve, 100));
      const events = await request('GET', '/api/v1/audit-events?filter[action]=stores.deleted');
      expect(events.status).toBe(200);
      event = events.body.data.find((e: any) => e.attributes.target === `stores/${storeId}`);
    }
    expect(event?.attributes).toMatchObject({ action: 'stores.deleted', ip: null, ipWithheld: true });
    const rows: Array<Record<string, unknown>> = await t.app
      .get(CatalogDatabase)
      .dataSource.query('SELECT * FROM audit_events WHERE tenant_id = ? AND id = ?', [shop.tenantId, event.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].ip_ciphertext).toBeNull();
    expect(JSON.stringify(rows[0])).not.toContain(ip);
  }

  it('answers 503 at once while OpenBao is dead, and recovers when it is started and unsealed, without an app restart', async () => {
    await bao.kill();
    await expectSensitiveRefused(TIMEOUT_MS);
    await expectTheRestWorks();
    const deleted = await deleteStoreDuringOutage();

    await bao.restart();

    await expectDeletionRecordedWithoutAddress(deleted);
    // Every other event (those before the outage, and after it) shows its address.
    const others = (await request('GET', '/api/v1/audit-events?filter[ipWithheld]=false')).body.data;
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((e: any) => typeof e.attributes.ip === 'string')).toBe(true);

    expect((await request('GET', `/api/v1/suppliers/${supplierId}`)).body.data.attributes.contactPhone).toBe(supplierPhone);
    const afterwards = phone();
    const created = await request('POST', '/api/v1/suppliers', supplier('After the outage', afterwards));
    expect(created.status).toBe(201);
    expect(created.body.data.attributes.contactPhone).toBe(afterwards);
    expect((await request('POST', '/api/v1/integration-secrets', { data: { type: 'integration-secrets', attributes: { name: 'After', kind: 'other', value: afterwards } } })).status).toBe(201);
    expect((await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() })).status).toBe(201);
    expect((await t.request('GET', '/health')).status).toBe(200);
  }, 20_000);
});
