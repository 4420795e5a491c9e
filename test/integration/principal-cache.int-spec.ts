import { AccessTokenService } from '../../src/infra/auth/access-token';
import { PRINCIPAL_LOADER, type PrincipalLoader } from '../../src/infra/auth/principal-loader';
import { changingTenantPrincipals, principalVersionKeys } from '../../src/infra/auth/principal-versions';
import { RedisConnection } from '../../src/infra/cache/redis-connection';
import { OUTBOX_SETTLE_MS } from '../../src/infra/cache/version-outbox';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { Feature, isEnabled } from '../../src/infra/tenancy/features';
import { Tenant } from '../../src/modules/tenants/entities/tenant';
import { FeatureFlags } from '../../src/modules/tenants/feature-flags';
import { PrincipalRepository } from '../../src/modules/tenants/principal.repository';
import { type TestApp, bootApp } from '../support/app-harness';
import { type Shop, acceptInvite, freshIp, loginDocument, newEmployee, newShop, storeDocument } from '../support/fixtures';
import { REDIS_TEST_URL } from '../support/services-env';
import { TcpProxy } from '../support/tcp-proxy';

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; tid: string; sid: string };

// Services profile: two instances of the server on the same catalog and Redis. Each
// keeps the principals of the credentials it has seen in memory; a change made
// through one must apply on the other at its very next request.
describe('principals kept per instance, checked against versions in Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let shop: Shop;
  let arbat: string;
  let kiosk: string;
  const db = REDIS_TEST_URL.split('/').pop();

  beforeAll(async () => {
    // One after the other: two instances starting at once on a fresh catalog race to register the shards.
    a = await bootApp();
    b = await bootApp();
    shop = await newShop(a);
    const store = async (name: string) => (await a.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name }) })).body.data.id as string;
    [arbat, kiosk] = [await store('Arbat'), await store('Kiosk')];
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const get = (t: TestApp, token: string, url = '/api/v1/stores') => t.request('GET', url, { token });
  const patchEmployee = (t: TestApp, id: string, attributes: Record<string, unknown>, relationships?: Record<string, unknown>) =>
    t.request('PATCH', `/api/v1/employees/${id}`, { token: shop.accessToken, body: { data: { type: 'employees', id, attributes, ...(relationships && { relationships }) } } });
  /** Both instances have answered the token, so each holds its principal. */
  const seenByBoth = async (token: string) => {
    for (const t of [a, b, a, b]) expect((await get(t, token)).status).toBe(200);
  };
  const storesSeen = async (t: TestApp, token: string) => (await get(t, token)).body.data.map((s: { id: string }) => s.id).sort();

  it('answers a known credential from memory: no catalog query while nothing changed', async () => {
    const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
    const loads = jest.spyOn(b.app.get(PrincipalRepository), 'forSession');
    try {
      for (let i = 0; i < 5; i++) expect((await get(b, member.accessToken)).status).toBe(200);
      expect(loads).toHaveBeenCalledTimes(1);
    } finally {
      loads.mockRestore();
    }
  });

  it('a logout on one instance ends the token on the other at its next request', async () => {
    const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
    await seenByBoth(member.accessToken);
    expect((await a.request('DELETE', '/api/v1/sessions/current', { token: member.accessToken })).status).toBe(204);
    const refused = await get(b, member.accessToken);
    expect([refused.status, refused.body.errors[0].code]).toEqual([401, 'session-revoked']);
  });

  it('a deactivation on one instance stops the employee on the other at once; reactivated, a new login works', async () => {
    const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
    await seenByBoth(member.accessToken);
    expect((await patchEmployee(a, member.id, { active: false })).status).toBe(200);
    expect((await get(b, member.accessToken)).status).toBe(401);
    expect((await get(a, member.accessToken)).status).toBe(401);
    expect((await patchEmployee(b, member.id, { active: true })).status).toBe(200);
    expect((await get(a, member.accessToken)).status).toBe(401);
    const login = await b.request('POST', '/api/v1/sessions', { body: loginDocument(member.email, member.password), ip: freshIp() });
    expect((await get(a, login.body.data.attributes.accessToken)).status).toBe(200);
  });

  it('a role change and a store change on one instance apply to the next request on the other', async () => {
    const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
    await seenByBoth(member.accessToken);
    expect((await get(b, member.accessToken, '/api/v1/device-tokens')).status).toBe(403);
    expect((await patchEmployee(a, member.id, { role: 'manager' })).status).toBe(200);
    expect((await get(b, member.accessToken, '/api/v1/device-tokens')).status).toBe(200);

    expect(await storesSeen(b, member.accessToken)).toEqual([arbat]);
    const added = await a.request('POST', `/api/v1/employees/${member.id}/relationships/stores`, { token: shop.accessToken, body: { data: [{ type: 'stores', id: kiosk }] } });
    expect(added.status).toBe(204);
    expect(await storesSeen(b, member.accessToken)).toEqual([arbat, kiosk].sort());
    const removed = await a.request('DELETE', `/api/v1/employees/${member.id}/relationships/stores`, { token: shop.accessToken, body: { data: [{ type: 'stores', id: arbat }] } });
    expect(removed.status).toBe(204);
    expect(await storesSeen(b, member.accessToken)).toEqual([kiosk]);
  });

  it('a password reset on one instance ends the sessions on the other; the accepted invite opens new ones', async () => {
    const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
    await seenByBoth(member.accessToken);
    const reset = await patchEmployee(a, member.id, { resetPassword: true });
    expect(reset.status).toBe(200);
    expect((await get(b, member.accessToken)).status).toBe(401);
    expect((await acceptInvite(b, reset.body.data.attributes.inviteToken, 'a brand new password')).status).toBe(201);
    const login = await b.request('POST', '/api/v1/sessions', { body: loginDocument(member.email, 'a brand new password'), ip: freshIp() });
    expect((await get(a, login.body.data.attributes.accessToken)).status).toBe(200);
    expect((await get(a, member.accessToken)).status).toBe(401);
  });

  it('a device revoked on one instance is refused by the other at its next request', async () => {
    const created = await a.request('POST', '/api/v1/device-tokens', {
      token: shop.accessToken,
      body: { data: { type: 'device-tokens', attributes: { name: 'Till' }, relationships: { store: { data: { type: 'stores', id: kiosk } } } } },
    });
    const device = created.body.data.attributes.token as string;
    await seenByBoth(device);
    // Remembered or not, the device's secret is checked on every request.
    expect((await get(b, `${device.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await a.request('DELETE', `/api/v1/device-tokens/${created.body.data.id}`, { token: shop.accessToken })).status).toBe(204);
    expect((await get(b, device)).status).toBe(401);
  });

  it('a feature flag switched, and a tenant marked moving, through one instance’s catalog apply on the other at once', async () => {
    const own = await newShop(a);
    await seenByBoth(own.accessToken);
    const principalOnB = async () => (await b.app.get<PrincipalLoader>(PRINCIPAL_LOADER).fromAccessToken(b.app.get(AccessTokenService).verify(own.accessToken)))!;
    expect(isEnabled(await principalOnB(), Feature.LargeSyncBatches)).toBe(false);
    await new FeatureFlags(a.app.get(CatalogDatabase).dataSource).set(own.tenantId, Feature.LargeSyncBatches, true);
    expect(isEnabled(await principalOnB(), Feature.LargeSyncBatches)).toBe(true);

    const status = (value: 'active' | 'moving') =>
      changingTenantPrincipals(a.app.get(CatalogDatabase).dataSource, own.tenantId, (em) => em.update(Tenant, { id: own.tenantId }, { status: value }));
    const write = (name: string) => b.request('POST', '/api/v1/stores', { token: own.accessToken, body: storeDocument({ name }) });
    await status('moving');
    const waiting = await write('While moving');
    expect([waiting.status, waiting.body.errors[0].code]).toEqual([503, 'tenant-moving']);
    expect((await get(b, own.accessToken)).status).toBe(200);
    await status('active');
    expect((await write('After the move')).status).toBe(201);
  });

  it('trusts no copy without its version: a version key gone means a catalog read', async () => {
    const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
    await seenByBoth(member.accessToken);
    const { sub, tid, sid } = claimsOf(member.accessToken);
    // Ended behind the repositories' back, nothing moves: the copy in memory still answers (so it is what answers).
    await a.app.get(CatalogDatabase).dataSource.query('UPDATE auth_sessions SET revoked_at = NOW(3) WHERE tenant_id = ? AND id = ?', [tid, sid]);
    expect((await get(b, member.accessToken)).status).toBe(200);
    // Without its version (evicted, or Redis emptied) the copy is worth nothing: the catalog says the session ended.
    await b.app.get(RedisConnection).run((c) => c.del(principalVersionKeys(tid, sub)[1]));
    expect((await get(b, member.accessToken)).status).toBe(401);
    expect((await get(a, member.accessToken)).status).toBe(401);
  });

  it('reads the catalog on every request while Redis is unreachable, and stays exact', async () => {
    const cut = await bootApp({ REDIS_URL: `redis://127.0.0.1:1/${db}` });
    try {
      const member = await newEmployee(a, shop.accessToken, 'florist', [arbat]);
      const loads = jest.spyOn(cut.app.get(PrincipalRepository), 'forSession');
      for (let i = 0; i < 3; i++) expect((await get(cut, member.accessToken)).status).toBe(200);
      expect(loads).toHaveBeenCalledTimes(3);
      expect((await a.request('DELETE', '/api/v1/sessions/current', { token: member.accessToken })).status).toBe(204);
      expect((await get(cut, member.accessToken)).status).toBe(401);
    } finally {
      await cut.close();
    }
  });

  describe('a writer cut off from Redis while the others reach it', () => {
    // The bounded case: the writer records the move in the catalog's outbox; the others make it at their next
    // reconciliation (every CACHE_OUTBOX_POLL_MS, rows older than OUTBOX_SETTLE_MS). The writer itself is exact.
    const POLL_MS = 300;

    it('has its deactivation applied by the others within the poll interval, and at once by itself', async () => {
      const proxy = new TcpProxy(6379);
      await proxy.start();
      const writer = await bootApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}/${db}` });
      const reader = await bootApp({ CACHE_OUTBOX_POLL_MS: String(POLL_MS) });
      const redisOfWriter = writer.app.get(RedisConnection);
      try {
        await until(() => redisOfWriter.ready, 'the writer is connected to Redis');
        const member = await newEmployee(writer, shop.accessToken, 'florist', [arbat]);
        for (const t of [writer, reader, writer, reader]) expect((await get(t, member.accessToken)).status).toBe(200);

        await proxy.stop();
        await until(() => !redisOfWriter.ready, 'the writer sees Redis as down');
        expect((await patchEmployee(writer, member.id, { active: false })).status).toBe(200);
        const wrote = Date.now();
        expect((await get(writer, member.accessToken)).status).toBe(401);
        await until(async () => (await get(reader, member.accessToken)).status === 401, 'the reader refuses the token', 5000);
        expect(Date.now() - wrote).toBeLessThan(POLL_MS + OUTBOX_SETTLE_MS + 1500);
      } finally {
        await Promise.allSettled([writer.close(), reader.close(), proxy.stop()]);
      }
    });
  });
});
