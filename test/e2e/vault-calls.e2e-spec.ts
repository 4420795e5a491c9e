import { randomInt } from 'node:crypto';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { uuid7 } from '../../src/infra/database/uuid7';
import { normaliseEmail, normalisePhone } from '../../src/infra/validation/normalise';
import { ENCRYPTION_PROVIDER, type EncryptionProvider, TRANSIT_CHUNK_SIZE } from '../../src/modules/secrets';
import type { DecryptionCache } from '../../src/modules/secrets/decryption-cache';
import { LocalKeyringProvider } from '../../src/modules/secrets/local-keyring.provider';
import { VaultHttp } from '../../src/modules/secrets/vault-http';
import { AuditEvent, User, UserStore } from '../../src/modules/tenants/entities';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, newShop, storeDocument } from '../support/fixtures';

// The design's promise: one batched decrypt per request for every row and field of
// a page, included resources too, in chunks of at most 200 items. Counted where
// the values leave the process: the transit requests on the services profile
// (with the decryption cache cold), the keyring's decrypt calls on embedded.

const EMPLOYEES = 140; // with the owner: 141 rows, three sensitive fields each (the owner has no phone)

describe(`Vault calls per request (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let encryption: EncryptionProvider;

  /** Items of each decrypt call that leaves the process while `run` runs. */
  async function decryptCalls(run: () => Promise<unknown>): Promise<number[]> {
    const calls: number[] = [];
    const spy =
      PROFILE === 'services'
        ? jest.spyOn(VaultHttp.prototype, 'request').mockImplementation(function (this: VaultHttp, ...args) {
            const [req] = args;
            if (req.path.includes('/transit/decrypt/')) calls.push((req.body as { batch_input: unknown[] }).batch_input.length);
            return original.apply(this, args);
          })
        : jest.spyOn(LocalKeyringProvider.prototype, 'decrypt').mockImplementation(function (this: LocalKeyringProvider, ...args) {
            calls.push(args[1].length);
            return originalKeyring.apply(this, args);
          });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return calls;
  }
  const original = VaultHttp.prototype.request;
  const originalKeyring = LocalKeyringProvider.prototype.decrypt;

  /** The decryption cache forgets everything: the next read must decrypt. */
  const cold = () => {
    if (PROFILE === 'services') t.app.get<DecryptionCache>(ENCRYPTION_PROVIDER).clear();
  };

  /** Sensitive values the document shows: what the server had to decrypt for it. */
  const shown = (resources: Array<{ type: string; attributes: Record<string, unknown> }>) =>
    resources.reduce((n, r) => n + (r.type === 'employees' ? ['name', 'email', 'phone'] : r.type === 'audit-events' ? ['ip'] : []).filter((a) => r.attributes[a] !== null).length, 0);

  beforeAll(async () => {
    t = await bootApp({ KEY_REWRAP_INTERVAL_SECONDS: '0' });
    shop = await newShop(t);
    encryption = t.app.get(ENCRYPTION_PROVIDER);
    const stores: string[] = [];
    for (const name of ['North', 'South']) {
      const res = await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name, timeZone: 'Europe/Moscow' }) });
      stores.push(res.body.data.id);
    }
    // The employees go straight into the catalog, sealed by the app's provider (140 password hashes would take a minute);
    // what is measured is the read.
    const people = Array.from({ length: EMPLOYEES }, (_, i) => ({
      name: `Florist ${i} ${randomInt(1e6)}`,
      email: `florist-${i}-${randomInt(1e9)}@example.com`,
      phone: `+7 916 ${randomInt(1_000_000, 9_999_999)}`,
    }));
    const sealed = await encryption.encrypt(shop.tenantId, people.flatMap((p) => [p.name, p.email, p.phone]));
    const emailIndexes = await encryption.blindIndex('', people.map((p) => normaliseEmail(p.email)));
    const emailTenantIndexes = await encryption.blindIndex(shop.tenantId, people.map((p) => normaliseEmail(p.email)));
    const phoneIndexes = await encryption.blindIndex(shop.tenantId, people.map((p) => normalisePhone(p.phone, 'RUB')!));
    const start = Date.now();
    const users: User[] = people.map((_, i) => ({
      tenantId: shop.tenantId,
      id: uuid7(),
      nameCiphertext: sealed[3 * i],
      emailCiphertext: sealed[3 * i + 1],
      phoneCiphertext: sealed[3 * i + 2],
      emailIndex: emailIndexes[i],
      emailTenantIndex: emailTenantIndexes[i],
      phoneIndex: phoneIndexes[i],
      passwordHash: 'scrypt$unusable',
      role: 'florist',
      active: true,
      createdAt: new Date(start + i),
      updatedAt: new Date(start + i),
    }));
    const catalog = t.app.get(CatalogDatabase).manager;
    await catalog.insert(User, users);
    await catalog.insert(UserStore, users.map((u, i) => ({ tenantId: shop.tenantId, userId: u.id, storeId: stores[i % 2], createdAt: new Date() })));
    // Fifty audit events by twenty-five of them, each with its (encrypted) address.
    const ips = await encryption.encrypt(shop.tenantId, Array.from({ length: 50 }, (_, i) => `10.1.${i}.${randomInt(1, 255)}`));
    const events: AuditEvent[] = ips.map((ip, i) => ({
      tenantId: shop.tenantId,
      id: uuid7(),
      occurredAt: new Date(start + 1000 + i),
      action: 'login.succeeded',
      actorType: 'user',
      actorId: users[i % 25].id,
      targetType: 'employees',
      targetId: users[i % 25].id,
      ipCiphertext: ip,
      ipWithheld: false,
      details: null,
      updatedAt: new Date(start + 1000 + i),
    }));
    await catalog.insert(AuditEvent, events);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('decrypts a page of 50 employees (name, e-mail, phone) with their stores included in one call', async () => {
    cold();
    let body: any;
    const calls = await decryptCalls(async () => {
      const res = await t.request('GET', '/api/v1/employees?page[size]=50&include=stores', { token: shop.accessToken });
      expect(res.status).toBe(200);
      body = res.body;
    });
    expect(body.data).toHaveLength(50);
    expect(body.included.map((s: { type: string }) => s.type)).toEqual(['stores', 'stores']);
    expect(body.data[1].attributes.phone).toMatch(/^\+7 916 /);
    expect(calls).toEqual([shown(body.data)]);
    expect(calls[0]).toBeGreaterThanOrEqual(49 * 3);
  });

  it('decrypts the sensitive fields of included resources in the same call as the primary ones', async () => {
    cold();
    let body: any;
    const calls = await decryptCalls(async () => {
      const res = await t.request('GET', '/api/v1/audit-events?filter[action]=login.succeeded&page[size]=50&include=employee', { token: shop.accessToken });
      expect(res.status).toBe(200);
      body = res.body;
    });
    expect(body.data).toHaveLength(50);
    expect(body.included).toHaveLength(25);
    expect(body.included[0].attributes.email).toMatch(/@example\.com$/);
    expect(calls).toEqual([shown(body.data) + shown(body.included)]);
  });

  it('decrypts nothing a sparse fieldset leaves out, of the primary data or of what is included', async () => {
    cold();
    let body: any;
    const none = await decryptCalls(async () => {
      const res = await t.request('GET', '/api/v1/employees?page[size]=50&fields[employees]=role', { token: shop.accessToken });
      expect(res.status).toBe(200);
      body = res.body;
    });
    expect(body.data).toHaveLength(50);
    expect(body.data.every((e: { attributes: object }) => Object.keys(e.attributes).join() === 'role')).toBe(true);
    expect(none).toEqual([]);

    cold();
    const included = await decryptCalls(async () => {
      const res = await t.request('GET', '/api/v1/audit-events?filter[action]=login.succeeded&page[size]=50&include=employee&fields[audit-events]=action,employee&fields[employees]=role', {
        token: shop.accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body.included).toHaveLength(25);
    });
    expect(included).toEqual([]);

    cold();
    const namesOnly = await decryptCalls(async () => {
      body = (await t.request('GET', '/api/v1/employees?page[size]=50&fields[employees]=name', { token: shop.accessToken })).body;
    });
    expect(namesOnly).toEqual([50]);
    expect(body.data[1].attributes.name).toMatch(/^Florist /);
  });

  it('splits a page of more than 200 values into ceil(n / 200) chunks', async () => {
    cold();
    let body: any;
    const calls = await decryptCalls(async () => {
      body = (await t.request('GET', `/api/v1/employees?page[size]=${EMPLOYEES + 1}`, { token: shop.accessToken })).body;
    });
    const values = shown(body.data);
    expect(values).toBeGreaterThan(2 * TRANSIT_CHUNK_SIZE); // 422: three chunks, run in parallel
    if (PROFILE === 'services') {
      // Chunking is the transit client's: OpenBao refuses a body of more than 1,000 strings.
      expect(calls).toHaveLength(Math.ceil(values / TRANSIT_CHUNK_SIZE));
      expect(calls.every((n) => n <= TRANSIT_CHUNK_SIZE)).toBe(true);
      expect(calls.reduce((a, b) => a + b, 0)).toBe(values);
    } else {
      expect(calls).toEqual([values]); // the keyring is in-process: one call, no chunks
    }
  });

  it('answers a write without decrypting what it has just encrypted', async () => {
    const calls = await decryptCalls(async () => {
      const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', attributes: { name: 'Roses', contactPhone: '+7 916 555-44-33' } } } });
      expect(res.status).toBe(201);
      expect(res.body.data.attributes.contactPhone).toBe('+7 916 555-44-33');
    });
    // On Vault the cache remembers the pair it sealed; the embedded keyring opens it in-process.
    expect(calls).toEqual(PROFILE === 'services' ? [] : [1]);
  });
});
