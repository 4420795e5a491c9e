import { RedisConnection } from '../../src/infra/cache/redis-connection';
import { OUTBOX_SETTLE_MS } from '../../src/infra/cache/version-outbox';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { type TestApp, bootApp } from '../support/app-harness';
import { one } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { REDIS_TEST_URL } from '../support/services-env';
import { atomic, documentOperations, newStore, receive, stemProduct } from '../support/stock-fixtures';
import { TcpProxy } from '../support/tcp-proxy';

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the cached stock read with Redis across instances and outages', () => {
  const db = REDIS_TEST_URL.split('/').pop();

  describe('two instances', () => {
    let a: TestApp;
    let b: TestApp;
    let shop: Shop;

    beforeAll(async () => {
      // One after the other: two instances starting at once on a fresh catalog race to register the shards.
      a = await bootApp();
      b = await bootApp();
      shop = await newShop(a);
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('a movement committed on one instance makes the next read on the other fresh', async () => {
      const store = await newStore(a, shop.accessToken, 'Shared');
      const rose = await stemProduct(a, shop.accessToken, 'Shared rose');
      await receive(a, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 1 }]);
      const url = `/api/v1/stock-levels?filter[store]=${store}`;
      const read = async (t: TestApp) => {
        const res = await t.request('GET', url, { token: shop.accessToken });
        return [res.headers['x-cache'], res.body.data[0].attributes.quantity];
      };
      expect(await read(a)).toEqual(['miss', '10']);
      expect(await read(b)).toEqual(['hit', '10']);
      const ops = documentOperations('write-offs', 'writeOff', { attributes: { reason: 'damaged' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '3' }]);
      expect((await atomic(b, shop.accessToken, ops)).status).toBe(200);
      expect(await read(a)).toEqual(['miss', '7']);
      expect(await read(b)).toEqual(['hit', '7']);
    });
  });

  describe('an instance cut off from Redis while the others reach it', () => {
    // The one case that is bounded rather than exact: the writer cannot move the version in Redis, so the others
    // serve what they hold until their reconciliation of the shard's outbox moves it (every CACHE_OUTBOX_POLL_MS,
    // for rows older than OUTBOX_SETTLE_MS). The writer itself reads from MySQL meanwhile.
    const POLL_MS = 300;
    const BOUND_MS = POLL_MS + OUTBOX_SETTLE_MS;

    it('makes the reads on the others fresh within the poll interval after each movement it commits, even once it is gone', async () => {
      const proxy = new TcpProxy(6379);
      await proxy.start();
      const a = await bootApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}/${db}` });
      const b = await bootApp({ CACHE_OUTBOX_POLL_MS: String(POLL_MS) });
      const redisOfA = a.app.get(RedisConnection);
      try {
        await until(() => redisOfA.ready, 'A is connected to Redis');
        const shop = await newShop(a);
        const store = await newStore(a, shop.accessToken, 'Partitioned');
        const rose = await stemProduct(a, shop.accessToken, 'Partitioned rose');
        await receive(a, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 1 }]);
        const read = async (t: TestApp) => {
          const res = await t.request('GET', `/api/v1/stock-levels?filter[store]=${store}`, { token: shop.accessToken });
          expect(res.status).toBe(200);
          return [res.headers['x-cache'], res.body.data[0].attributes.quantity];
        };
        const writeOff = async (quantity: string) => {
          const ops = documentOperations('write-offs', 'writeOff', { attributes: { reason: 'lost' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity }]);
          expect((await atomic(a, shop.accessToken, ops)).status).toBe(200);
        };
        /** How long B takes to serve `quantity` after the write: every read before that must be B's copy from before it. */
        const freshOnB = async (quantity: string, before: string) => {
          const wrote = Date.now();
          const seen: unknown[][] = [];
          await until(async () => {
            seen.push(await read(b));
            return seen[seen.length - 1][1] === quantity;
          }, `B serves ${quantity}`, 5000);
          expect(seen.slice(0, -1).every(([outcome, q]) => outcome === 'hit' && q === before)).toBe(true);
          expect(seen[seen.length - 1]).toEqual(['miss', quantity]);
          return Date.now() - wrote;
        };
        expect(await read(b)).toEqual(['miss', '10']);
        expect(await read(b)).toEqual(['hit', '10']);

        await proxy.stop();
        await until(() => !redisOfA.ready, 'A sees Redis as down');
        await writeOff('4');
        // The writer knows its move failed: it does not serve what it cached, from the moment it answered.
        expect(await read(a)).toEqual(['bypass', '6']);
        // The move it recorded in the shard is made by B's reconciliation, within the bound (with room for a busy machine).
        expect(await freshOnB('6', '10')).toBeLessThan(BOUND_MS + 1500);
        expect(await read(b)).toEqual(['hit', '6']);

        // A writer that dies before it could move leaves no stale entry behind either.
        await writeOff('1');
        await a.close();
        expect(await freshOnB('5', '6')).toBeLessThan(BOUND_MS + 1500);
        expect(await read(b)).toEqual(['hit', '5']);
        const [{ n: left }] = await b.app.get(ShardRegistry).dataSource(await shardOf(b, shop.tenantId)).then((ds) =>
          ds.query('SELECT COUNT(*) AS n FROM cache_version_moves WHERE tenant_id = ?', [shop.tenantId]),
        );
        expect(Number(left)).toBe(0);
      } finally {
        await Promise.allSettled([a.close(), b.close(), proxy.stop()]);
      }
    });
  });

  describe('Redis going away', () => {
    it('serves from the database without errors when Redis is unreachable from the start', async () => {
      const t = await bootApp({ REDIS_URL: `redis://127.0.0.1:1/${db}` });
      try {
        const shop = await newShop(t);
        const store = await newStore(t, shop.accessToken, 'No Redis');
        const rose = await stemProduct(t, shop.accessToken, 'No Redis rose');
        await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '4', unitCost: 1 }]);
        for (let i = 0; i < 2; i++) {
          const res = await t.request('GET', `/api/v1/stock-levels?filter[store]=${store}`, { token: shop.accessToken });
          expect([res.status, res.headers['x-cache'], res.body.data[0].attributes.quantity]).toEqual([200, 'bypass', '4']);
        }
      } finally {
        await t.close();
      }
    });

    it('bypasses the cache during an outage and is fresh, not stale, when Redis comes back', async () => {
      const proxy = new TcpProxy(6379);
      await proxy.start();
      const t = await bootApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}/${db}` });
      const redis = t.app.get(RedisConnection);
      try {
        await until(() => redis.ready, 'Redis is connected');
        const shop = await newShop(t);
        const store = await newStore(t, shop.accessToken, 'Flaky');
        const rose = await stemProduct(t, shop.accessToken, 'Flaky rose');
        await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 1 }]);
        const read = async () => {
          const res = await t.request('GET', `/api/v1/stock-levels?filter[store]=${store}`, { token: shop.accessToken });
          expect(res.status).toBe(200);
          return [res.headers['x-cache'], res.body.data[0].attributes.quantity];
        };
        expect(await read()).toEqual(['miss', '10']);
        expect(await read()).toEqual(['hit', '10']);

        await proxy.stop();
        await until(() => !redis.ready, 'Redis is seen as down');
        expect(await read()).toEqual(['bypass', '10']);
        const ops = documentOperations('write-offs', 'writeOff', { attributes: { reason: 'lost' }, relationships: { store: one('stores', store) } }, [{ product: rose.id, quantity: '4' }]);
        expect((await atomic(t, shop.accessToken, ops)).status).toBe(200);
        expect(await read()).toEqual(['bypass', '6']);

        await proxy.start();
        await until(() => redis.ready, 'Redis is back');
        // Back on Redis, the instance first reconciles the shard's outbox, where the move it could not make during the
        // outage is recorded: the entry cached before it is never served, not even while the connection comes back.
        await until(async () => {
          const [outcome, quantity] = await read();
          expect(quantity).toBe('6');
          return outcome !== 'bypass';
        }, 'reads use the cache again');
        expect(await read()).toEqual(['hit', '6']);
      } finally {
        await t.close();
        await proxy.stop().catch(() => undefined);
      }
    });
  });
});
