import { type TestApp, bootApp } from '../support/app-harness';
import { REDIS_TEST_URL } from '../support/services-env';
import { TcpProxy } from '../support/tcp-proxy';

// Services profile only: Redis behind a relay the test cuts, as a crashed Redis would be.
describe('/health while Redis is unreachable', () => {
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
});
