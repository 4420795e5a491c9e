import { LOGIN_FAILURES_PER_EMAIL } from '../../src/modules/tenants/rate-limits';
import { type TestApp, bootApp } from '../support/app-harness';
import { freshIp, loginDocument, newShop } from '../support/fixtures';
import { REDIS_TEST_URL } from '../support/services-env';
import { TcpProxy } from '../support/tcp-proxy';

// Services profile only: Redis behind a relay the test cuts, as a crashed Redis would be.
describe('/health and the rate limits while Redis is unreachable', () => {
  const proxy = new TcpProxy(Number(new URL(REDIS_TEST_URL).port));
  let t: TestApp;

  beforeAll(async () => {
    const port = await proxy.start();
    t = await bootApp({ REDIS_URL: `redis://127.0.0.1:${port}${new URL(REDIS_TEST_URL).pathname}` });
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  async function healthUntil(status: number): Promise<Awaited<ReturnType<TestApp['request']>>> {
    let res = await t.request('GET', '/health');
    // The client notices a cut or a restored connection within its reconnect delay (at most 2 s).
    for (let attempt = 0; attempt < 40 && res.status !== status; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await t.request('GET', '/health');
    }
    return res;
  }

  it('answers 503 naming the cache, with the databases and encryption still up, and 200 once Redis is back', async () => {
    const before = await healthUntil(200);
    expect(before.status).toBe(200);
    expect(before.body.details.cache).toMatchObject({ status: 'up', store: 'redis' });

    await proxy.stop();
    const down = await t.request('GET', '/health');
    expect(down.status).toBe(503);
    expect(Object.keys(down.body.error)).toEqual(['cache']);
    expect(down.body.error.cache.status).toBe('down');
    expect(down.body.details).toMatchObject({ catalog: { status: 'up' }, 'shard:a': { status: 'up' }, encryption: { status: 'up' } });

    await proxy.start();
    const back = await healthUntil(200);
    expect(back.status).toBe(200);
    expect(back.body.details.cache).toMatchObject({ status: 'up', store: 'redis' });
  });

  it('still locks an e-mail after its failed logins, counting in memory, and logs that once', async () => {
    expect((await healthUntil(200)).status).toBe(200);
    const shop = await newShop(t);
    const login = (password: string) => t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, password), ip: freshIp() });
    await proxy.stop();
    try {
      expect((await t.request('GET', '/health')).status).toBe(503);
      const statuses: number[] = [];
      for (let i = 0; i < LOGIN_FAILURES_PER_EMAIL.max; i++) statuses.push((await login(`wrong-${i}-password`)).status);
      expect(statuses).toEqual(Array(LOGIN_FAILURES_PER_EMAIL.max).fill(401));
      // The right password too: the e-mail waits out the window.
      const locked = await login(shop.password);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      const fallbacks = t.logs.join('').split('rate limit login:fail: redis unavailable').length - 1;
      expect(fallbacks).toBe(1);
    } finally {
      await proxy.start();
    }
  });
});
