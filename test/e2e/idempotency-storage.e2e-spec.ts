import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { IdempotencyRecord } from '../../src/infra/database/entities/idempotency-record';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import { IdempotencyPurge } from '../../src/infra/json-api/idempotency-purge';
import { PUBLIC_WRITER } from '../../src/infra/json-api/write-gate';
import { closeFence, openFence } from '../../src/infra/tenancy/tenant-fence';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../src/modules/secrets/encryption.provider';
import { SecretsError } from '../../src/modules/secrets/secrets.errors';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, one } from '../support/catalog-fixtures';
import { type Shop, freshIp, loginDocument, newEmployee, newShop, shardOf, signupDocument, uniqueEmail } from '../support/fixtures';

const ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';
const DAY_MS = 24 * 3600 * 1000;
const key = (label: string) => `${label}-${uuid7()}`;

describe(`where Idempotency-Key records live, whose they are, and how long (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let catalog: DataSource;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    catalog = t.app.get(CatalogDatabase).dataSource;
  });
  afterAll(async () => {
    await t.close();
  });

  const shard = async (s: Shop) => t.app.get(ShardRegistry).dataSource(await shardOf(t, s.tenantId));
  const records = (db: DataSource, tenantId: string, idempotencyKey: string) =>
    db.query('SELECT user_id AS user, created_at AS created, expires_at AS expires FROM idempotency_records WHERE tenant_id = ? AND idempotency_key = ?', [tenantId, idempotencyKey]) as Promise<
      Array<{ user: string; created: string | Date; expires: string | Date }>
    >;
  const count = async (db: DataSource, sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);

  /** Makes the encryption of the stored answer (a JSON:API document) fail as if Vault were down, once. */
  function failStoringTheAnswer(): jest.SpyInstance {
    const provider = t.app.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
    const real = provider.encrypt.bind(provider);
    const spy = jest.spyOn(provider, 'encrypt');
    spy.mockImplementation(async (tenantId, plaintexts) => {
      if (plaintexts.some((p) => p.startsWith('{"jsonapi"'))) {
        spy.mockRestore();
        throw SecretsError.unavailable('Vault is down (test).');
      }
      return real(tenantId, plaintexts);
    });
    return spy;
  }

  describe('writes of catalog-stored resources', () => {
    it('keeps a device token and its key in one catalog transaction: a failed answer leaves no credential, and the retry runs once', async () => {
      const store = await create(t, shop.accessToken, 'stores', { name: 'Till store' });
      const k = key('device');
      const name = `Till ${uuid7()}`;
      const post = () =>
        t.request('POST', '/api/v1/device-tokens', { token: shop.accessToken, headers: { 'idempotency-key': k }, body: { data: { type: 'device-tokens', attributes: { name }, relationships: { store: one('stores', store.id) } } } });
      const devices = () => count(catalog, 'SELECT COUNT(*) AS n FROM device_tokens WHERE tenant_id = ? AND name = ?', [shop.tenantId, name]);

      failStoringTheAnswer();
      const failed = await post();
      expect(failed.status).toBe(503);
      expect(await devices()).toBe(0);
      expect(await records(catalog, shop.tenantId, k)).toEqual([]);

      const first = await post();
      const again = await post();
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body.data.attributes.token).toBe(first.body.data.attributes.token);
      expect(await devices()).toBe(1);
      expect((await records(catalog, shop.tenantId, k)).map((r) => r.user)).toEqual([(await me(shop)).id]);
      expect(await records(await shard(shop), shop.tenantId, k)).toEqual([]);
    });

    it('creates an employee with their stores in one catalog transaction: a failed answer leaves neither the user nor the assignments', async () => {
      const store = await create(t, shop.accessToken, 'stores', { name: 'Employee store' });
      const k = key('employee');
      const body = { data: { type: 'employees', attributes: { name: 'Once only', email: uniqueEmail('once'), role: 'florist' }, relationships: { stores: { data: [{ type: 'stores', id: store.id }] } } } };
      // include: the answer reads the new assignments inside the transaction that wrote them.
      const post = () => t.request('POST', '/api/v1/employees?include=stores', { token: shop.accessToken, headers: { 'idempotency-key': k }, body });
      const users = () => count(catalog, 'SELECT COUNT(*) AS n FROM users WHERE tenant_id = ?', [shop.tenantId]);
      const assignments = () => count(catalog, 'SELECT COUNT(*) AS n FROM user_stores WHERE tenant_id = ? AND store_id = ?', [shop.tenantId, store.id]);
      const before = await users();

      failStoringTheAnswer();
      expect((await post()).status).toBe(503);
      expect([await users(), await assignments()]).toEqual([before, 0]);

      const first = await post();
      expect(first.status).toBe(201);
      expect(first.body.data.relationships.stores.data).toEqual([{ type: 'stores', id: store.id }]);
      expect(first.body.included).toEqual([expect.objectContaining({ type: 'stores', id: store.id })]);
      const again = await post();
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect([await users(), await assignments()]).toEqual([before + 1, 1]);
    });

    it('renames the tenant and keeps its key in the catalog transaction: a failed answer leaves the old name', async () => {
      const own = await newShop(t);
      const k = key('tenant');
      const patch = () => t.request('PATCH', `/api/v1/tenants/${own.tenantId}`, { token: own.accessToken, headers: { 'idempotency-key': k }, body: { data: { type: 'tenants', id: own.tenantId, attributes: { name: 'Renamed once' } } } });
      const name = async () => (await t.request('GET', '/api/v1/tenants/current', { token: own.accessToken })).body.data.attributes.name;
      const before = await name();
      failStoringTheAnswer();
      expect((await patch()).status).toBe(503);
      expect(await name()).toBe(before);
      const first = await patch();
      expect(first.status).toBe(200);
      expect(first.body.data.attributes.name).toBe('Renamed once');
      expect((await patch()).headers['idempotency-replayed']).toBe('true');
      expect(await records(catalog, own.tenantId, k)).toHaveLength(1);
    });
  });

  describe('writes of shard-stored resources', () => {
    it('keeps a supplier and its key in one shard transaction: a failed answer leaves neither the row nor the key, and the retry runs once', async () => {
      const k = key('supplier');
      const name = `Once supplier ${uuid7()}`;
      const post = () => t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, headers: { 'idempotency-key': k }, body: { data: { type: 'suppliers', attributes: { name } } } });
      const db = await shard(shop);
      const suppliers = () => count(db, 'SELECT COUNT(*) AS n FROM suppliers WHERE tenant_id = ? AND name = ?', [shop.tenantId, name]);

      failStoringTheAnswer();
      const failed = await post();
      expect(failed.status).toBe(503);
      expect(failed.body.errors[0].code).toBe('secrets-unavailable');
      expect(await suppliers()).toBe(0);
      expect(await records(db, shop.tenantId, k)).toEqual([]);

      const first = await post();
      const again = await post();
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await suppliers()).toBe(1);
      expect((await records(db, shop.tenantId, k)).map((r) => r.user)).toEqual([(await me(shop)).id]);
      expect(await records(catalog, shop.tenantId, k)).toEqual([]);
    });
  });

  describe('signup and sessions', () => {
    it('replays a signup sent again with the same key: one shop; another document for the same e-mail with the key is 409', async () => {
      const k = key('signup');
      const doc = signupDocument();
      const ip = freshIp();
      const tenants = () => count(catalog, 'SELECT COUNT(*) AS n FROM tenants', []);
      const before = await tenants();
      const first = await t.request('POST', '/api/v1/signup', { body: doc, ip, headers: { 'idempotency-key': k } });
      const again = await t.request('POST', '/api/v1/signup', { body: doc, ip, headers: { 'idempotency-key': k } });
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(await tenants()).toBe(before + 1);
      expect(await records(catalog, PUBLIC_WRITER.tenantId, k)).toHaveLength(1);
      const { email } = doc.data.attributes as { email: string };
      const changed = await t.request('POST', '/api/v1/signup', { body: signupDocument({ email: email.toUpperCase(), tenantName: 'Another name' }), ip, headers: { 'idempotency-key': k } });
      expect(changed.status).toBe(409);
      expect(changed.body.errors[0]).toMatchObject({ code: 'idempotency-key-reused', source: { header: 'Idempotency-Key' } });
      expect(await tenants()).toBe(before + 1);
    });

    it('keeps signup keys per e-mail signed up: a stranger who picks the same key signs their own shop up', async () => {
      const k = key('shared');
      const [mine, theirs] = [signupDocument(), signupDocument()];
      const tenants = () => count(catalog, 'SELECT COUNT(*) AS n FROM tenants', []);
      const before = await tenants();
      const first = await t.request('POST', '/api/v1/signup', { body: mine, ip: freshIp(), headers: { 'idempotency-key': k } });
      const stranger = await t.request('POST', '/api/v1/signup', { body: theirs, ip: freshIp(), headers: { 'idempotency-key': k } });
      expect([first.status, stranger.status]).toEqual([201, 201]);
      expect(stranger.headers['idempotency-replayed']).toBeUndefined();
      expect(stranger.body.data.id).not.toBe(first.body.data.id);
      expect(await tenants()).toBe(before + 2);
      // Two records under the key, each under a keyed hash of its e-mail (a UUIDv8), never the e-mail itself.
      const owners = (await records(catalog, PUBLIC_WRITER.tenantId, k)).map((r) => r.user);
      expect(owners).toHaveLength(2);
      expect(new Set(owners).size).toBe(2);
      for (const owner of owners) expect(owner).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const replayed = await t.request('POST', '/api/v1/signup', { body: theirs, ip: freshIp(), headers: { 'idempotency-key': k } });
      expect(replayed.headers['idempotency-replayed']).toBe('true');
      expect(replayed.body).toEqual(stranger.body);
    });

    it('refuses an Idempotency-Key on logging in and out: a login is never answered from storage', async () => {
      const login = await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp(), headers: { 'idempotency-key': key('login') } });
      expect(login.status).toBe(400);
      expect(login.body.errors[0]).toMatchObject({ code: 'idempotency-key-not-supported', source: { header: 'Idempotency-Key' } });
      expect(login.text).not.toMatch(/accessToken/);
      const session = (await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() })).body.data.attributes.accessToken;
      const logout = await t.request('DELETE', '/api/v1/sessions/current', { token: session, headers: { 'idempotency-key': key('logout') } });
      expect(logout.status).toBe(400);
      expect((await t.request('GET', '/api/v1/tenants/current', { token: session })).status).toBe(200);
    });

    it('refuses a client-generated id on signup and login with 403 pointing at it', async () => {
      const tenants = () => count(catalog, 'SELECT COUNT(*) AS n FROM tenants', []);
      const before = await tenants();
      const doc = signupDocument();
      const signup = await t.request('POST', '/api/v1/signup', { body: { data: { ...doc.data, id: uuid7() } }, ip: freshIp() });
      const login = await t.request('POST', '/api/v1/sessions', { body: { data: { ...loginDocument(shop.email, shop.password).data, id: uuid7() } }, ip: freshIp() });
      for (const res of [signup, login]) {
        expect(res.status).toBe(403);
        expect(res.body.errors[0]).toMatchObject({ code: 'client-id-not-supported', source: { pointer: '/data/id' } });
      }
      expect(await tenants()).toBe(before);
    });
  });

  describe('whose a key is', () => {
    it("never gives one user another user's stored answer: the same key is each sender's own", async () => {
      const store = await create(t, shop.accessToken, 'stores', { name: 'Scoped store' });
      const manager = await newEmployee(t, shop.accessToken, 'manager', [store.id]);
      const florist = await newEmployee(t, shop.accessToken, 'florist', [store.id]);
      const k = key('shared');
      const body = { 'atomic:operations': [{ op: 'add', data: { type: 'suppliers', attributes: { name: 'Scoped supplier', contactPhone: '+7 916 222-33-44' } } }] };
      const send = (token: string) => t.request('POST', '/api/v1/operations', { token, body, headers: { 'content-type': ATOMIC, 'idempotency-key': k } });
      const owners = await send(shop.accessToken);
      const florists = await send(florist.accessToken);
      const managers = await send(manager.accessToken);
      expect(owners.status).toBe(200);
      // The florist's request runs as the florist's: refused (no suppliers:write), not the owner's answer.
      expect(florists.status).toBe(403);
      expect(florists.headers['idempotency-replayed']).toBeUndefined();
      expect(florists.text).not.toContain('222-33-44');
      expect(managers.status).toBe(200);
      expect(managers.headers['idempotency-replayed']).toBeUndefined();
      expect(managers.body['atomic:results'][0].data.id).not.toBe(owners.body['atomic:results'][0].data.id);
      expect((await send(manager.accessToken)).headers['idempotency-replayed']).toBe('true');
      expect((await records(await shard(shop), shop.tenantId, k)).map((r) => r.user).sort()).toEqual([(await me(shop)).id, manager.id].sort());
    });
  });

  describe('how long a key lives', () => {
    const post = (s: Shop, k: string, name: string) => t.request('POST', '/api/v1/suppliers', { token: s.accessToken, headers: { 'idempotency-key': k }, body: { data: { type: 'suppliers', attributes: { name } } } });
    const expire = async (db: DataSource, tenantId: string, k: string) => db.manager.update(IdempotencyRecord, { tenantId, key: k }, { expiresAt: new Date(Date.now() - 1000) });

    it('keeps a record at least 24 hours', async () => {
      const k = key('retention');
      expect((await post(shop, k, 'Kept a day')).status).toBe(201);
      const [record] = await records(await shard(shop), shop.tenantId, k);
      expect(new Date(record.expires).getTime() - new Date(record.created).getTime()).toBeGreaterThanOrEqual(DAY_MS);
    });

    it('frees a key once its record has expired: the request runs again', async () => {
      const k = key('expired');
      const first = await post(shop, k, 'Before expiry');
      await expire(await shard(shop), shop.tenantId, k);
      const later = await post(shop, k, 'Before expiry');
      expect(later.status).toBe(201);
      expect(later.headers['idempotency-replayed']).toBeUndefined();
      expect(later.body.data.id).not.toBe(first.body.data.id);
    });

    it('purges expired records from the shards and the catalog, and keeps live ones', async () => {
      const [old, live] = [key('purged'), key('live')];
      await post(shop, old, 'Purged key');
      await post(shop, live, 'Live key');
      await expire(await shard(shop), shop.tenantId, old);
      const signupKey = key('purged-signup');
      expect((await t.request('POST', '/api/v1/signup', { body: signupDocument(), ip: freshIp(), headers: { 'idempotency-key': signupKey } })).status).toBe(201);
      await expire(catalog, PUBLIC_WRITER.tenantId, signupKey);

      await t.app.get(IdempotencyPurge).purge();
      expect(await records(await shard(shop), shop.tenantId, old)).toEqual([]);
      expect(await records(catalog, PUBLIC_WRITER.tenantId, signupKey)).toEqual([]);
      expect(await records(await shard(shop), shop.tenantId, live)).toHaveLength(1);
      expect((await post(shop, live, 'Live key')).headers['idempotency-replayed']).toBe('true');
    });

    it('leaves the records of a shop being moved (its write fence closed) for the next run, and purges the others', async () => {
      const moving = await newShop(t);
      const [theirs, ours] = [key('fenced'), key('unfenced')];
      await post(moving, theirs, 'Moving shop key');
      await post(shop, ours, 'Staying shop key');
      const [movingShard, shopShard] = [await shard(moving), await shard(shop)];
      await expire(movingShard, moving.tenantId, theirs);
      await expire(shopShard, shop.tenantId, ours);
      await closeFence(movingShard, moving.tenantId);
      try {
        await t.app.get(IdempotencyPurge).purge();
        expect(await records(movingShard, moving.tenantId, theirs)).toHaveLength(1);
        expect(await records(shopShard, shop.tenantId, ours)).toEqual([]);
      } finally {
        await openFence(movingShard, moving.tenantId);
      }
      await t.app.get(IdempotencyPurge).purge();
      expect(await records(movingShard, moving.tenantId, theirs)).toEqual([]);
    });
  });

  /** The caller's own employee record (its id is the key's owner). */
  async function me(s: Shop): Promise<{ id: string }> {
    const res = await t.request('GET', '/api/v1/employees?filter[role]=owner', { token: s.accessToken });
    return res.body.data[0];
  }
});

describe(`catalog writes hold one catalog connection (${PROFILE})`, () => {
  it('signs up and writes employees and devices with a pool of one connection: their reads go through the open transaction', async () => {
    const t = await bootApp({ DATABASE_POOL_SIZE: '1' });
    try {
      const shop = await newShop(t);
      const headers = { 'idempotency-key': key('pool') };
      const store = await create(t, shop.accessToken, 'stores', { name: 'Pool store' });
      const signup = await t.request('POST', '/api/v1/signup', { body: signupDocument(), ip: freshIp(), headers });
      const employee = await t.request('POST', '/api/v1/employees', {
        token: shop.accessToken,
        headers,
        body: { data: { type: 'employees', attributes: { name: 'Pooled', email: uniqueEmail('pool'), role: 'courier' }, relationships: { stores: { data: [{ type: 'stores', id: store.id }] } } } },
      });
      const device = await t.request('POST', '/api/v1/device-tokens', { token: shop.accessToken, body: { data: { type: 'device-tokens', attributes: { name: 'Pooled till' }, relationships: { store: one('stores', store.id) } } } });
      expect([signup.status, employee.status, device.status]).toEqual([201, 201, 201]);
    } finally {
      await t.close();
    }
  });
});

describe(`an Idempotency-Key survives a restart (${PROFILE})`, () => {
  it('replays from a second server on the same databases', async () => {
    // Embedded: both servers use one data directory, one after the other (sql.js holds the file in memory while open).
    const dataDir = PROFILE === 'embedded' ? mkdtempSync(join(tmpdir(), 'bloomdesk-restart-')) : undefined;
    const overrides: Record<string, string> = dataDir ? { DATA_DIR: dataDir } : {};
    try {
      const k = key('restart');
      const body = { data: { type: 'suppliers', attributes: { name: 'Across a restart' } } };
      const first = await bootApp(overrides);
      const shop = await newShop(first);
      const original = await first.request('POST', '/api/v1/suppliers', { token: shop.accessToken, headers: { 'idempotency-key': k }, body });
      expect(original.status).toBe(201);
      await first.close();

      const second = await bootApp(overrides);
      try {
        const replayed = await second.request('POST', '/api/v1/suppliers', { token: shop.accessToken, headers: { 'idempotency-key': k }, body });
        expect(replayed.status).toBe(201);
        expect(replayed.headers['idempotency-replayed']).toBe('true');
        expect(replayed.body).toEqual(original.body);
        expect((await second.request('GET', '/api/v1/suppliers', { token: shop.accessToken })).body.meta.total).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
