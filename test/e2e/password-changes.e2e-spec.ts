import { LOGIN_FAILURES_PER_EMAIL } from '../../src/modules/tenants/rate-limits';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, one } from '../support/catalog-fixtures';
import { freshIp, loginDocument, newEmployee, newShop } from '../support/fixtures';

const change = (currentPassword: unknown, password: unknown) => ({ data: { type: 'password-changes', attributes: { currentPassword, password } } });

describe(`changing one's own password (${PROFILE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (token: string | undefined, body: unknown, headers?: Record<string, string>, url = '/api/v1/password-changes') => t.request('POST', url, { token, body, headers });
  const login = (email: string, password: string) => t.request('POST', '/api/v1/sessions', { body: loginDocument(email, password), ip: freshIp() });
  const stores = (token: string) => t.request('GET', '/api/v1/stores', { token });
  const refresh = (refreshToken: string) => t.request('POST', '/api/v1/sessions', { body: { data: { type: 'sessions', attributes: { refreshToken } } }, ip: freshIp() });

  it('changes it, ends every session of the caller (the asking one too), answers with a new session and records the change', async () => {
    const shop = await newShop(t);
    const other = (await login(shop.email, shop.password)).body.data.attributes;

    const res = await post(shop.accessToken, change(shop.password, 'a brand new passphrase'));
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ type: 'password-changes', id: expect.any(String) });
    const a = res.body.data.attributes;
    expect(Object.keys(a).sort()).toEqual(['accessToken', 'changedAt', 'expiresAt', 'refreshExpiresAt', 'refreshToken', 'tokenType']);
    expect(Date.now() - new Date(a.changedAt).getTime()).toBeLessThan(60_000);
    expect(JSON.stringify(res.body)).not.toContain('brand new passphrase');

    // Every earlier session is over: its access tokens and its refresh tokens.
    for (const ended of [shop, other]) {
      expect((await stores(ended.accessToken)).status).toBe(401);
      expect((await refresh(ended.refreshToken)).status).toBe(401);
    }
    // The new pair works.
    expect((await stores(a.accessToken)).status).toBe(200);
    expect((await refresh(a.refreshToken)).status).toBe(201);

    expect((await login(shop.email, shop.password)).status).toBe(401);
    const again = await login(shop.email, 'a brand new passphrase');
    expect(again.status).toBe(201);
    const events = await t.request('GET', '/api/v1/audit-events?filter[action]=employee.password-changed', { token: again.body.data.attributes.accessToken });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0].attributes).toMatchObject({ actorType: 'user', target: expect.stringMatching(/^employees\//) });
  });

  it('lets every role change their own, and refuses a device token, which has no password (403)', async () => {
    const shop = await newShop(t);
    const store = (await create(t, shop.accessToken, 'stores', { name: 'Password store' })).id;
    for (const role of ['manager', 'florist', 'courier']) {
      const member = await newEmployee(t, shop.accessToken, role, [store]);
      const res = await post(member.accessToken, change(member.password, `${role}'s own new password`));
      expect([role, res.status]).toEqual([role, 201]);
      expect((await login(member.email, `${role}'s own new password`)).status).toBe(201);
    }
    const device = await create(t, shop.accessToken, 'device-tokens', { name: 'Till' }, { store: one('stores', store) });
    const refused = await post(device.attributes.token, change('anything at all', 'another password'));
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].code).toBe('forbidden');
  });

  it('refuses a wrong current password with 422 pointing at it, changes nothing, and records the try', async () => {
    const shop = await newShop(t);
    const res = await post(shop.accessToken, change('not the password', 'a brand new passphrase'));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ status: '422', code: 'wrong-current-password', source: { pointer: '/data/attributes/currentPassword' } }),
    ]);
    expect((await stores(shop.accessToken)).status).toBe(200);
    expect((await login(shop.email, shop.password)).status).toBe(201);
    expect((await login(shop.email, 'a brand new passphrase')).status).toBe(401);
    const events = await t.request('GET', '/api/v1/audit-events?filter[action]=employee.password-change-failed', { token: shop.accessToken });
    expect(events.body.data).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ action: 'employee.password-change-failed', target: expect.stringMatching(/^employees\//) }) })]);
    expect((await t.request('GET', '/api/v1/audit-events?filter[action]=employee.password-changed', { token: shop.accessToken })).body.meta.total).toBe(0);
  });

  it('holds the new password to the rules of signup and invites, and refuses what JSON:API and the route do not take', async () => {
    const shop = await newShop(t);
    const short = await post(shop.accessToken, change(shop.password, 'short'));
    expect(short.status).toBe(422);
    expect(short.body.errors).toEqual([expect.objectContaining({ detail: 'password must be 10 to 200 characters long', source: { pointer: '/data/attributes/password' } })]);
    const missing = await post(shop.accessToken, { data: { type: 'password-changes', attributes: { password: 'a brand new passphrase' } } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].source).toEqual({ pointer: '/data/attributes/currentPassword' });

    const keyed = await post(shop.accessToken, change(shop.password, 'a brand new passphrase'), { 'idempotency-key': 'pw-1' });
    expect(keyed.status).toBe(400);
    expect(keyed.body.errors[0]).toMatchObject({ code: 'idempotency-key-not-supported', source: { header: 'Idempotency-Key' } });
    const withId = await post(shop.accessToken, { data: { ...change(shop.password, 'a brand new passphrase').data, id: '0190a0b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b' } });
    expect(withId.status).toBe(403);
    expect(withId.body.errors[0].source).toEqual({ pointer: '/data/id' });
    const query = await post(shop.accessToken, change(shop.password, 'a brand new passphrase'), undefined, '/api/v1/password-changes?include=session');
    expect(query.status).toBe(400);
    expect((await post(undefined, change(shop.password, 'a brand new passphrase'))).status).toBe(401);
    // None of those changed it.
    expect((await login(shop.email, shop.password)).status).toBe(201);
  });

  it(`counts the tries with the account's logins before checking them: of ten at once ${LOGIN_FAILURES_PER_EMAIL.max} are checked, the rest and the login wait`, async () => {
    const shop = await newShop(t);
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => post(shop.accessToken, change(`wrong guess ${i}`, 'a brand new passphrase'))));
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(LOGIN_FAILURES_PER_EMAIL.max).fill(422), ...Array(10 - LOGIN_FAILURES_PER_EMAIL.max).fill(429)]);
    for (const limited of burst.filter((r) => r.status === 429)) expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The right password waits too, and so does a login to the same account: one count for both.
    expect((await post(shop.accessToken, change(shop.password, 'a brand new passphrase'))).status).toBe(429);
    expect((await login(shop.email, shop.password)).status).toBe(429);
  });
});
