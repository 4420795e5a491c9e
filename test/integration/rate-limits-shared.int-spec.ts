import { RedisConnection } from '../../src/infra/cache/redis-connection';
import { LOGIN_FAILURES_PER_EMAIL, SESSIONS_PER_IP, SIGNUP_PER_IP } from '../../src/modules/tenants/rate-limits';
import { type TestApp, type TestResponse, bootApp } from '../support/app-harness';
import { type Shop, freshIp, loginDocument, newShop } from '../support/fixtures';

// Services profile: two instances of the server on the same Redis. A limit that
// each instance counted for itself would let a client through N times over.
describe('rate limits counted in Redis, shared by every instance', () => {
  let one: TestApp;
  let two: TestApp;
  let shop: Shop;
  /** Every IP and e-mail address the tests sent: none may appear in a key. */
  const sent: string[] = [];

  beforeAll(async () => {
    // One after the other: two instances starting at once on a fresh catalog race to register the shards.
    one = await bootApp();
    two = await bootApp();
    shop = await newShop(one);
    sent.push(shop.email);
  });
  afterAll(async () => {
    await Promise.all([one.close(), two.close()]);
  });

  const instances = () => [one, two];
  const ipOnce = () => {
    const ip = freshIp();
    sent.push(ip);
    return ip;
  };
  const expectLimited = (res: TestResponse, what: string) => expect({ what, status: res.status, code: res.body.errors?.[0]?.code }).toEqual({ what, status: 429, code: 'rate-limited' });
  /** The rate-limit keys in Redis, with their counts. */
  const counters = async () => {
    const redis = one.app.get(RedisConnection);
    const keys = await redis.run((c) => c.keys('global:rl:*'));
    return new Map(await Promise.all(keys.map(async (key) => [key, await redis.run((c) => c.get(key))] as const)));
  };

  it('refuses sign-up attempt number max + 1 from one address on either instance, however they were spread', async () => {
    const ip = ipOnce();
    // Empty documents: each is refused (422) after it was counted, and makes no shop.
    for (let i = 0; i < SIGNUP_PER_IP.max; i++) {
      const res = await instances()[i % 2].request('POST', '/api/v1/signup', { body: { data: { type: 'signups', attributes: {} } }, ip });
      expect({ attempt: i + 1, status: res.status }).toEqual({ attempt: i + 1, status: 422 });
    }
    for (const [n, t] of instances().entries()) expectLimited(await t.request('POST', '/api/v1/signup', { body: { data: { type: 'signups', attributes: {} } }, ip }), `instance ${n + 1}`);
    // Both refusals counted too: every attempt is one count in Redis.
    expect([...(await counters())].filter(([key]) => key.startsWith(`global:rl:${SIGNUP_PER_IP.scope}:`)).map(([, count]) => count)).toContain(String(SIGNUP_PER_IP.max + 2));
  });

  it('refuses login number max + 1 from one address on either instance, while another address logs in', async () => {
    const ip = ipOnce();
    for (let i = 0; i < SESSIONS_PER_IP.max; i++) {
      const res = await instances()[i % 2].request('POST', '/api/v1/sessions', { body: loginDocument('not-an-email', 'whatever'), ip });
      expect({ attempt: i + 1, status: res.status }).toEqual({ attempt: i + 1, status: 422 });
    }
    for (const [n, t] of instances().entries()) expectLimited(await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip }), `instance ${n + 1}`);
    expect((await two.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: ipOnce() })).status).toBe(201);
  });

  it("locks an e-mail after its failed logins on both instances together, even with the right password", async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_EMAIL.max; i++) {
      const res = await instances()[i % 2].request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, `wrong-${i}-password`), ip: ipOnce() });
      expect({ attempt: i + 1, status: res.status }).toEqual({ attempt: i + 1, status: 401 });
    }
    for (const [n, t] of instances().entries()) expectLimited(await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: ipOnce() }), `instance ${n + 1}`);
  });

  it('keeps the counts under keys that name no address and no e-mail', async () => {
    const keys = [...(await counters()).keys()];
    expect(keys.filter((key) => key.startsWith('global:rl:login:fail:')).length).toBeGreaterThan(0);
    const named = keys.filter((key) => sent.some((value) => key.includes(value) || key.includes(value.split('@')[0])));
    expect(named).toEqual([]);
  });
});
