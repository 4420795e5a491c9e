import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import { ENCRYPTION_PROVIDER, type EncryptionProvider, IntegrationSecretService, RewrapJob } from '../../src/modules/secrets';
import { KeyRotationCommands } from '../../src/modules/secrets/key-rotation.commands';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, freshIp, loginDocument, newShop, shardOf } from '../support/fixtures';
import { ownDatabases } from '../support/own-databases';
import { type OwnOpenBao, startOpenBao } from '../support/own-openbao';
import { allDatabases, columnNames, tableNames } from '../support/raw-tables';

// Rotation changes the key for everyone who uses it, so on the services profile this
// suite brings its own OpenBao (configured like production) and its own databases:
// the shared dev server and the other suites' rows stay out of it.

const envelope = PROFILE === 'services' ? 'vault' : 'local';
const phone = () => `+7 916 ${randomInt(1_000_000, 9_999_999)}`;

/** Every stored ciphertext, found through the databases' own catalogs of columns (not the entities). */
async function storedCiphertexts(t: TestApp): Promise<Array<{ where: string; value: string }>> {
  const found = [];
  for (const [database, db] of await allDatabases(t)) {
    for (const table of await tableNames(db)) {
      for (const column of (await columnNames(db, table)).filter((c) => c.endsWith('_ciphertext'))) {
        const rows: Array<{ v: string | null }> = await db.query(`SELECT ${db.driver.escape(column)} AS v FROM ${db.driver.escape(table)}`);
        found.push(...rows.filter((r) => r.v !== null).map((r) => ({ where: `${database}.${table}.${column}`, value: r.v! })));
      }
    }
  }
  return found;
}

const versionsOf = (values: Array<{ value: string }>) => [...new Set(values.map((v) => v.value.split(':').slice(0, 2).join(':')))].sort();

function metric(text: string, name: string, labels = ''): number[] {
  const pattern = new RegExp(`^${name}${labels ? `\\{${labels}\\}` : '(\\{[^}]*\\})?'} (\\S+)$`, 'gm');
  return [...text.matchAll(pattern)].map((m) => Number(m[m.length - 1]));
}

describe(`key rotation: rotate, rewrap in the background, raise the minimum version (${PROFILE})`, () => {
  let t: TestApp;
  let bao: OwnOpenBao | undefined;
  let dropDatabases: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  let env: Record<string, string>;
  let rotatorToken: string | undefined;
  const shops: Shop[] = [];
  const phones = new Map<string, string>();

  beforeAll(async () => {
    if (PROFILE === 'services') {
      bao = await startOpenBao({ persistent: false });
      const databases = await ownDatabases();
      dropDatabases = databases.drop;
      rotatorToken = await bao.rotatorToken();
      env = { ...databases.env, VAULT_ADDR: bao.addr, VAULT_ROLE_ID: bao.appRole.roleId, VAULT_SECRET_ID: bao.appRole.secretId };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'bloomdesk-rotation-'));
      env = { DATA_DIR: dataDir };
    }
    t = await bootApp({ ...env, KEY_REWRAP_INTERVAL_SECONDS: '0' });
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await bao?.close();
    await dropDatabases?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const commands = () => new KeyRotationCommands(t.config, rotatorToken);
  const suppliers = async (shop: Shop) => {
    const all: any[] = [];
    for (let page = 1; ; page++) {
      const res = await t.request('GET', `/api/v1/suppliers?page[size]=200&page[number]=${page}`, { token: shop.accessToken });
      expect(res.status).toBe(200);
      all.push(...res.body.data);
      if (all.length >= res.body.meta.total) return all;
    }
  };

  it('moves every stored ciphertext to the new version, resumes after a crash, and everything reads after the minimum is raised', async () => {
    const encryption = t.app.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
    for (let i = 0; i < 2; i++) shops.push(await newShop(t, { ownerName: `Owner ${i}` }));
    for (const shop of shops) {
      for (let i = 0; i < 3; i++) {
        const contactPhone = i === 2 ? null : phone();
        const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', attributes: { name: `Supplier ${i}`, contactPhone } } } });
        phones.set(res.body.data.id, contactPhone as string);
      }
    }
    // More than a page (200 values) for one tenant, written the fast way.
    const [a] = shops;
    const bulk = Array.from({ length: 230 }, () => phone());
    const sealed = await encryption.encrypt(a.tenantId, bulk);
    const shardA = await t.app.get(ShardRegistry).dataSource(await shardOf(t, a.tenantId));
    const now = new Date();
    const rows = bulk.map((p, i) => ({ tenantId: a.tenantId, id: uuid7(), name: `Bulk ${i}`, contactPhoneCiphertext: sealed[i], createdAt: now, updatedAt: now }));
    await shardA.createQueryBuilder().insert().into('suppliers').values(rows).execute();
    rows.forEach((r, i) => phones.set(r.id, bulk[i]));
    const replayed = { 'idempotency-key': `rotation-${randomBytes(4).toString('hex')}` };
    const idempotent = { data: { type: 'suppliers', attributes: { name: 'Idempotent', contactPhone: phone() } } };
    const original = await t.request('POST', '/api/v1/suppliers', { token: a.accessToken, body: idempotent, headers: replayed });
    phones.set(original.body.data.id, idempotent.data.attributes.contactPhone);
    const integration = await t.request('POST', '/api/v1/integration-secrets', { token: a.accessToken, body: { data: { type: 'integration-secrets', attributes: { name: 'Terminal', kind: 'payment-terminal', value: 'terminal-key' } } } });
    const stale = (await shardA.query('SELECT contact_phone_ciphertext AS c FROM suppliers WHERE tenant_id = ? AND id = ?', [a.tenantId, rows[0].id]))[0].c as string;
    // Read once, so the server holds its plaintext in memory (the decryption cache, on Vault).
    expect((await t.request('GET', `/api/v1/suppliers/${rows[0].id}`, { token: a.accessToken })).body.data.attributes.contactPhone).toBe(bulk[0]);

    const before = await storedCiphertexts(t);
    expect(versionsOf(before)).toEqual([`${envelope}:v1`]);
    expect(new Set(before.map((c) => c.where.split('.').slice(1).join('.')))).toEqual(
      new Set([
        'users.email_ciphertext',
        'users.name_ciphertext',
        'audit_events.ip_ciphertext',
        'suppliers.contact_phone_ciphertext',
        'idempotency_records.body_ciphertext',
        ...(PROFILE === 'embedded' ? ['integration_secrets.value_ciphertext'] : []),
      ]),
    );

    await expect(commands().rotate()).resolves.toMatchObject({ latest: 2, minDecryption: 1 });
    const status = await commands().status();
    expect(status.pending.reduce((n, p) => n + p.values, 0)).toBe(before.length);

    // The process dies after its first page: what moved carries v2, the rest is found again.
    const job = t.app.get(RewrapJob);
    const rewrap = jest.spyOn(encryption, 'rewrap');
    const real = encryption.rewrap.bind(encryption);
    rewrap.mockImplementationOnce(real).mockRejectedValueOnce(new Error('killed'));
    const crashed = await job.runOnce();
    expect(crashed.retry).toBe(true);
    const halfway = await storedCiphertexts(t);
    expect(versionsOf(halfway)).toEqual([`${envelope}:v1`, `${envelope}:v2`]);
    rewrap.mockClear();

    const finished = await job.runOnce();
    expect(finished.retry).toBe(false);
    expect(finished.databases.every((d) => d.outcome === 'complete' && d.pendingAfter === 0)).toBe(true);
    expect(rewrap.mock.calls.every(([, values]) => values.length <= 200)).toBe(true);
    const moved = halfway.filter((c) => c.value.startsWith(`${envelope}:v1:`)).length;
    expect(finished.databases.reduce((n, d) => n + d.rewrapped, 0)).toBe(moved);
    rewrap.mockRestore();
    const after = await storedCiphertexts(t);
    expect(versionsOf(after)).toEqual([`${envelope}:v2`]);
    expect(after).toHaveLength(before.length);

    const metrics = (await t.request('GET', '/metrics')).text;
    expect(metric(metrics, 'bloomdesk_encryption_key_version')).toEqual([2]);
    expect(metric(metrics, 'bloomdesk_rewrap_pending_values')).toEqual((await allDatabases(t)).map(() => 0));
    expect(metric(metrics, 'bloomdesk_rewrap_values_total').reduce((x, y) => x + y, 0)).toBe(before.length);
    expect(metric(metrics, 'bloomdesk_rewrap_passes_total', 'outcome="incomplete"')).toEqual([1]);
    expect(metric(metrics, 'bloomdesk_rewrap_passes_total', 'outcome="complete"')).toEqual([1]);

    await expect(commands().raiseMinDecryptionVersion()).resolves.toMatchObject({ latest: 2, minDecryption: 2 });
    if (bao) expect((await bao.api('GET', 'transit/keys/bloomdesk-pii')).data).toMatchObject({ latest_version: 2, min_decryption_version: 2 });
    // The server learns the raised minimum at its next look at the key (the rewrap job's, or the cache's own):
    // the keyring reloads its file, the decryption cache forgets plaintexts of older versions.
    await encryption.keyVersions();

    // Every row still reads, through the API and the server's own paths.
    for (const shop of shops) {
      for (const supplier of await suppliers(shop)) expect(supplier.attributes.contactPhone).toBe(phones.get(supplier.id) ?? null);
      const login = await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() });
      expect(login.status).toBe(201);
    }
    const replay = await t.request('POST', '/api/v1/suppliers', { token: a.accessToken, body: idempotent, headers: replayed });
    expect([replay.status, replay.headers['idempotency-replayed']]).toEqual([201, 'true']);
    expect(replay.body.data).toEqual(original.body.data);
    const users: Array<{ tenant_id: string; email_ciphertext: string; name_ciphertext: string }> = await allDatabases(t).then(([[, catalog]]) =>
      (catalog as DataSource).query('SELECT tenant_id, email_ciphertext, name_ciphertext FROM users'),
    );
    for (const shop of shops) {
      const user = users.find((u) => u.tenant_id === shop.tenantId)!;
      await expect(encryption.decrypt(shop.tenantId, [user.email_ciphertext, user.name_ciphertext])).resolves.toEqual([shop.email, `Owner ${shops.indexOf(shop)}`]);
    }
    await expect(t.app.get(IntegrationSecretService).reveal({ tenantId: a.tenantId, shardId: await shardOf(t, a.tenantId) } as never, integration.body.data.id)).resolves.toBe('terminal-key');

    // A copy of a value from before the rotation no longer decrypts, even one this server decrypted before: the old version is retired.
    await shardA.query('UPDATE suppliers SET contact_phone_ciphertext = ? WHERE tenant_id = ? AND id = ?', [stale, a.tenantId, rows[1].id]);
    const invalidCount = async () => metric((await t.request('GET', '/metrics')).text, 'bloomdesk_ciphertext_invalid_total', 'type="suppliers"').reduce((x, y) => x + y, 0);
    const counted = await invalidCount();
    const logsBefore = t.logs.length;
    const retired = await t.request('GET', `/api/v1/suppliers/${rows[1].id}`, { token: a.accessToken });
    expect(retired.status).toBe(500);
    expect(retired.body.errors[0].code).toBe('ciphertext-invalid');
    expect(retired.body.errors[0].detail).toContain(rows[1].id);
    expect(retired.text).not.toContain(stale.slice(10));
    const logged = t.logs.slice(logsBefore).join('\n');
    expect(logged).toContain(rows[1].id);
    expect(logged).not.toContain(stale.slice(10));
    expect(await invalidCount()).toBe(counted + 1);
    // Writing the value again mends the record.
    const mended = phone();
    const patch = { data: { type: 'suppliers', id: rows[1].id, attributes: { contactPhone: mended } } };
    expect((await t.request('PATCH', `/api/v1/suppliers/${rows[1].id}`, { token: a.accessToken, body: patch })).body.data.attributes.contactPhone).toBe(mended);
    phones.set(rows[1].id, mended);
  });

  it('refuses to raise the minimum while values are still behind', async () => {
    await commands().rotate();
    await expect(commands().raiseMinDecryptionVersion()).rejects.toThrow(/Not raised: catalog has \d+ value\(s\)/);
  });

  it('finishes the rotation by itself after a restart, in the background', async () => {
    await t.close();
    await expect(commands().rotate()).resolves.toMatchObject({ latest: 4 });
    t = await bootApp({ ...env, KEY_REWRAP_INTERVAL_SECONDS: '1' });
    const databases = (await allDatabases(t)).length;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const metrics = (await t.request('GET', '/metrics')).text;
      const pending = metric(metrics, 'bloomdesk_rewrap_pending_values');
      const passed = metric(metrics, 'bloomdesk_rewrap_passes_total', 'outcome="complete"');
      if (metric(metrics, 'bloomdesk_encryption_key_version')[0] === 4 && passed[0] >= 1 && pending.length === databases && pending.every((n) => n === 0)) break;
      if (Date.now() > deadline) throw new Error(`the background job did not finish: ${metrics.split('\n').filter((l) => l.startsWith('bloomdesk_')).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(versionsOf(await storedCiphertexts(t))).toEqual([`${envelope}:v4`]);
    for (const supplier of await suppliers(shops[1])) expect(supplier.attributes.contactPhone).toBe(phones.get(supplier.id) ?? null);
  }, 30_000);
});
