import { randomBytes } from 'node:crypto';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ENCRYPTION_PROVIDER, type EncryptionProvider, RewrapJob } from '../../src/modules/secrets';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, acceptInvite, freshIp, loginDocument, newShop } from '../support/fixtures';

// An employee's e-mail is both the login and a tenant-owned field: the login looks it
// up by the HMAC of the normalised e-mail alone (a login has no tenant yet), and
// filter[email] by the HMAC of tenant id + normalised e-mail, as for every other
// tenant-owned searchable field. Rows written before the tenant index existed get
// it from the key-rotation job's pass.

const PASSWORD = 'a long first password';

describe(`employees' e-mail: a login index and a tenant-scoped index (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let encryption: EncryptionProvider;

  beforeAll(async () => {
    t = await bootApp({ KEY_REWRAP_INTERVAL_SECONDS: '0' });
    shop = await newShop(t);
    encryption = t.app.get(ENCRYPTION_PROVIDER);
  });
  afterAll(async () => {
    await t?.close();
  });

  const catalog = () => t.app.get(CatalogDatabase).dataSource;
  const indexesOf = async (id: string) =>
    (await catalog().query('SELECT email_index AS login, email_tenant_index AS tenant FROM users WHERE tenant_id = ? AND id = ?', [shop.tenantId, id]))[0] as { login: string; tenant: string | null };
  const byEmail = async (email: string) =>
    (await t.request('GET', `/api/v1/employees?filter[email]=${encodeURIComponent(email)}`, { token: shop.accessToken })).body.data.map((e: { id: string }) => e.id);
  const hire = async (email: string) => {
    const res = await t.request('POST', '/api/v1/employees', { token: shop.accessToken, body: { data: { type: 'employees', attributes: { name: 'Olga', email, role: 'manager' } } } });
    expect(res.status).toBe(201);
    expect((await acceptInvite(t, res.body.data.attributes.inviteToken, PASSWORD)).status).toBe(201);
    return res.body.data.id as string;
  };
  const logsIn = async (email: string) => (await t.request('POST', '/api/v1/sessions', { body: loginDocument(email, PASSWORD), ip: freshIp() })).status;

  it('writes both indexes: the login finds the e-mail alone, filter[email] within the shop', async () => {
    const email = `Olga.Florist+${randomBytes(4).toString('hex')}@Example.com`;
    const id = await hire(email);
    const normalised = email.toLowerCase();
    const [login] = await encryption.blindIndex('', [normalised]);
    const [tenant] = await encryption.blindIndex(shop.tenantId, [normalised]);
    expect(await indexesOf(id)).toEqual({ login, tenant });
    expect(login).not.toBe(tenant);
    expect(await byEmail(` ${normalised.toUpperCase()} `)).toEqual([id]);
    expect(await logsIn(normalised)).toBe(201);

    // The owner signed up: the same two indexes.
    const owner = (await catalog().query("SELECT email_index AS login, email_tenant_index AS tenant FROM users WHERE tenant_id = ? AND role = 'owner'", [shop.tenantId]))[0];
    expect(owner).toEqual({ login: (await encryption.blindIndex('', [shop.email]))[0], tenant: (await encryption.blindIndex(shop.tenantId, [shop.email]))[0] });
    expect(await byEmail(shop.email)).toHaveLength(1);
  });

  it('moves both indexes when the e-mail changes', async () => {
    const before = `before-${randomBytes(4).toString('hex')}@example.com`;
    const after = `after-${randomBytes(4).toString('hex')}@example.com`;
    const id = await hire(before);
    const patch = await t.request('PATCH', `/api/v1/employees/${id}`, { token: shop.accessToken, body: { data: { type: 'employees', id, attributes: { email: after } } } });
    expect(patch.body.data.attributes.email).toBe(after);
    expect([await byEmail(before), await byEmail(after)]).toEqual([[], [id]]);
    expect([await logsIn(before), await logsIn(after)]).toEqual([401, 201]);
  });

  it('fills the tenant index of rows written before it existed, in the key-rotation pass, leaving a value that does not decrypt', async () => {
    const ids = [await hire(`old-1-${randomBytes(4).toString('hex')}@example.com`), await hire(`old-2-${randomBytes(4).toString('hex')}@example.com`)];
    const emails = await Promise.all(ids.map(async (id) => (await t.request('GET', `/api/v1/employees/${id}`, { token: shop.accessToken })).body.data.attributes.email as string));
    const expected = await Promise.all(ids.map(async (id) => (await indexesOf(id)).tenant));
    // As the migration left them: no tenant index. One row holds another shop's ciphertext, which does not decrypt here.
    const other = await newShop(t);
    const [{ c: foreign }] = await catalog().query('SELECT email_ciphertext AS c FROM users WHERE tenant_id = ?', [other.tenantId]);
    const broken = await hire(`broken-${randomBytes(4).toString('hex')}@example.com`);
    await catalog().query('UPDATE users SET email_tenant_index = NULL WHERE tenant_id = ? AND id IN (?, ?, ?)', [shop.tenantId, ...ids, broken]);
    await catalog().query('UPDATE users SET email_ciphertext = ? WHERE tenant_id = ? AND id = ?', [foreign, shop.tenantId, broken]);
    expect(await byEmail(emails[0])).toEqual([]);
    const logsBefore = t.logs.length;

    await t.app.get(RewrapJob).runOnce();

    expect(await Promise.all(ids.map(async (id) => (await indexesOf(id)).tenant))).toEqual(expected);
    expect(await byEmail(emails[0])).toEqual([ids[0]]);
    expect(await byEmail(emails[1])).toEqual([ids[1]]);
    expect((await indexesOf(broken)).tenant).toBeNull();
    const logged = t.logs.slice(logsBefore).join('\n');
    expect(logged).toContain(`row ${broken} does not decrypt`);
    expect(logged).not.toContain(String(foreign).split(':')[2].slice(0, 24));
  });
});
