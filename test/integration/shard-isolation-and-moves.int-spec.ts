import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import { SHARD_MIGRATIONS } from '../../src/infra/database/migrations';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import type { RequestContext } from '../../src/infra/tenancy/request-context';
import { fenceState } from '../../src/infra/tenancy/tenant-fence';
import { Store } from '../../src/modules/tenants/entities';
import { Tenant } from '../../src/modules/tenants/entities/tenant';
import { type MoveStep, TenantMover } from '../../src/modules/tenants/tenant-mover';
import { uuid7 } from '../../src/infra/database/uuid7';
import { type TestApp, bootApp } from '../support/app-harness';
import { bouquet, create, flower } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf, storeDocument } from '../support/fixtures';
import { MYSQL_ROOT_URL, testDatabases } from '../support/services-env';
import { placeOn } from '../support/shard-fixtures';
import { levelOf, receive, serviceContext } from '../support/stock-fixtures';
import { TcpProxy } from '../support/tcp-proxy';
import { ownDatabases } from '../support/own-databases';

const other = (shard: string) => (shard === 'a' ? 'b' : 'a');
const storeRow = (ctx: RequestContext, name: string): Store => ({ tenantId: ctx.tenantId, id: uuid7(), name, address: null, timeZone: 'Europe/Moscow', createdAt: new Date(), updatedAt: new Date() });

// Services profile only: two MySQL shards, one of them behind a relay the test can cut.
describe('shards: lazy pools, failure isolation and tenant moves', () => {
  let t: TestApp;
  let shards: ShardRegistry;
  const proxy = new TcpProxy(3306);

  beforeAll(async () => {
    const port = await proxy.start();
    const [, a, b] = testDatabases();
    t = await bootApp({ SHARD_DATABASE_URLS: `a=${MYSQL_ROOT_URL}/${a},b=mysql://root@127.0.0.1:${port}/${b}` });
    shards = t.app.get(ShardRegistry);
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  /** A shop whose data lives on `shard`. */
  async function shopOn(shard: string): Promise<Shop> {
    const shop = await newShop(t);
    await placeOn(t, shop.tenantId, shard);
    return shop;
  }

  const catalogRow = (tenantId: string) => t.app.get(CatalogDatabase).manager.findOneByOrFail(Tenant, { id: tenantId });
  const post = (shop: Shop, name: string) => t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name }) });

  /** A mover that runs `at[step]` when it reaches that step, and waits for it. */
  const moverWith = (at: Partial<Record<MoveStep, () => Promise<void>>> = {}, steps: string[] = []) =>
    new TenantMover(t.app.get(CatalogDatabase).dataSource, (id) => shards.dataSource(id), async (step) => {
      steps.push(step);
      await at[step as MoveStep]?.();
    });

  it('opens no shard pool at start, and exactly one for the first tenant that needs one', async () => {
    expect(shards.openIds()).toEqual([]);
    const shop = await newShop(t);
    const opened = shards.openIds();
    expect(opened).toEqual([await shardOf(t, shop.tenantId)]);
    expect((await post(shop, 'First use')).status).toBe(201);
    expect(shards.openIds()).toEqual(opened);
  });

  it("fails only the stopped shard's tenants, shows it on /health, and recovers without a restart", async () => {
    const [a, b] = [await shopOn('a'), await shopOn('b')];
    await create(t, b.accessToken, 'products', flower('Before the outage'));

    await proxy.stop();
    const down = await t.request('GET', '/api/v1/products', { token: b.accessToken });
    expect(down.status).toBe(503);
    expect(down.body.errors[0].code).toBe('shard-unavailable');
    expect((await t.request('GET', '/api/v1/products', { token: a.accessToken })).status).toBe(200);
    expect((await post(a, 'Still open')).status).toBe(201);
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.details['shard:b'].status).toBe('down');
    expect(health.body.details['shard:a'].status).toBe('up');

    await proxy.start();
    let recovered = 0;
    for (let attempt = 0; attempt < 20 && recovered !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      recovered = (await t.request('GET', '/api/v1/products', { token: b.accessToken })).status;
    }
    expect(recovered).toBe(200);
    expect((await t.request('GET', '/api/v1/products', { token: b.accessToken })).body.data.map((p: any) => p.attributes.name)).toEqual(['Before the outage']);
  });

  it('serves the other shards when one is down at start; once it comes up, migrates it on first use and serves its tenants, no restart', async () => {
    // Databases of its own: the late shard must start with no schema at all.
    const own = await ownDatabases();
    const late = new TcpProxy(3306);
    const port = await late.start();
    await late.stop();
    const shardB = own.env.SHARD_DATABASE_URLS.split(',')[1].split('/').pop();
    const second = await bootApp({ ...own.env, SHARD_DATABASE_URLS: `${own.env.SHARD_DATABASE_URLS.split(',')[0]},b=mysql://root@127.0.0.1:${port}/${shardB}` });
    try {
      const [onA, onB] = [await newShop(second), await newShop(second)];
      expect(await shardOf(second, onA.tenantId)).toBe('a');
      await placeOn(second, onB.tenantId, 'b');
      const products = (shop: Shop) => second.request('GET', '/api/v1/products', { token: shop.accessToken });

      const down = await products(onB);
      expect({ status: down.status, code: down.body.errors[0].code }).toEqual({ status: 503, code: 'shard-unavailable' });
      expect((await products(onA)).status).toBe(200);
      const health = await second.request('GET', '/health');
      expect({ status: health.status, a: health.body.details['shard:a'].status, b: health.body.details['shard:b'].status }).toEqual({ status: 503, a: 'up', b: 'down' });

      await late.start(port);
      let recovered = 0;
      for (let attempt = 0; attempt < 20 && recovered !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        recovered = (await products(onB)).status;
      }
      expect(recovered).toBe(200);
      await create(second, onB.accessToken, 'products', flower('After the late start'));
      expect((await products(onB)).body.data.map((p: any) => p.attributes.name)).toEqual(['After the late start']);
      const migrations = new DataSource(dataSourceOptions(second.config.shards.find((shard) => shard.id === 'b')!.target, 'shard', 1));
      await migrations.initialize();
      try {
        expect((await migrations.query('SELECT name FROM migrations ORDER BY id')).map((m: { name: string }) => m.name)).toEqual(SHARD_MIGRATIONS.map((m) => m.name));
      } finally {
        await migrations.destroy();
      }
      expect((await second.request('GET', '/health')).status).toBe(200);
    } finally {
      await second.close();
      await late.stop();
      await own.drop();
    }
  });

  it('moves a tenant with every row verified: its writes wait, its reads and a neighbour’s writes go on; the old copy goes on request', async () => {
    const from = 'a';
    const to = other(from);
    const [shop, neighbour] = [await shopOn(from), await shopOn(from)];
    const { product, parts } = await bouquet(t, shop.accessToken, 'Moving bouquet', 3);
    const store = (await post(shop, 'Moving store')).body.data;
    const rose = parts[0].part.id;
    await receive(t, shop.accessToken, store.id, [{ product: rose, quantity: '12', unitCost: 900 }]);
    const ctx = await serviceContext(t, shop);

    const during: Record<string, unknown> = {};
    const report = await moverWith({
      fenced: async () => {
        const blocked = await post(shop, 'During the move');
        during.blockedWrite = [blocked.status, blocked.body.errors[0].code, blocked.headers['retry-after']];
        during.read = (await t.request('GET', `/api/v1/products/${product.id}`, { token: shop.accessToken })).status;
        during.neighbourWrite = (await post(neighbour, 'Next door')).status;
        // A request that passed the guard before the tenant was marked moving meets the fence instead.
        during.lateWrite = await shards.transaction(ctx, async (tx) => (await shards.manager(tx)).insert(Store, storeRow(ctx, 'Late'))).then(() => 'written', (e: { code?: string }) => e.code);
      },
    }).move(shop.tenantId, to);

    expect(during).toEqual({ blockedWrite: [503, 'tenant-moving', '30'], read: 200, neighbourWrite: 201, lateWrite: 'tenant-moving' });
    const rows = Object.fromEntries(report.tables.map((r) => [r.table, r.rows]));
    expect(report).toMatchObject({ from, to });
    expect(rows).toMatchObject({ products: 4, recipe_items: 3, stores: 1, stock_levels: 1, stock_batches: 1, stock_movements: 1, goods_receipts: 1, goods_receipt_lines: 1 });
    expect(await shardOf(t, shop.tenantId)).toBe(to);
    expect(await shardOf(t, neighbour.tenantId)).toBe(from);

    const storeAfter = await t.request('GET', `/api/v1/stores/${store.id}`, { token: shop.accessToken });
    expect(storeAfter.body.data.attributes).toEqual(store.attributes);
    expect(await levelOf(t, shop.accessToken, store.id, rose)).toBe('12');
    const read = await t.request('GET', `/api/v1/products/${product.id}?include=components.component`, { token: shop.accessToken });
    expect(read.body.included).toHaveLength(6);
    expect((await t.request('POST', '/api/v1/products', { token: shop.accessToken, body: { data: { type: 'products', attributes: flower('After the move') } } })).status).toBe(201);
    // A straggler still aiming at the old shard is refused there.
    await expect(shards.transaction(ctx, async (tx) => (await shards.manager(tx)).insert(Store, storeRow(ctx, 'Straggler')))).rejects.toMatchObject({ code: 'tenant-moving' });

    const old = await shards.dataSource(from);
    expect(await old.manager.countBy('products', { tenantId: shop.tenantId })).toBe(4);
    const mover = moverWith();
    await expect(mover.dropCopy(shop.tenantId, to)).rejects.toThrow(/refusing/);
    expect(await mover.dropCopy(shop.tenantId, from)).toBe(report.tables.reduce((n, r) => n + r.rows, 0));
    expect(await old.manager.countBy('products', { tenantId: shop.tenantId })).toBe(0);
    expect(await old.manager.countBy('stores', { tenantId: neighbour.tenantId })).toBe(1);
    expect((await catalogRow(shop.tenantId)).status).toBe('active');
  });

  it('waits for a write already in flight before it copies, and moves what it wrote', async () => {
    const shop = await shopOn('a');
    const ctx = await serviceContext(t, shop);
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const row = storeRow(ctx, 'Written while the move began');
    const inFlight = shards.transaction(ctx, async (tx) => {
      await (await shards.manager(tx)).insert(Store, row);
      entered();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await inside;

    const steps: string[] = [];
    const moving = moverWith({}, steps).move(shop.tenantId, 'b');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(steps).toEqual([]);
    expect((await catalogRow(shop.tenantId)).status).toBe('moving');
    release();
    await inFlight;
    const report = await moving;

    expect(steps[0]).toBe('fenced');
    expect(report.tables.find((r) => r.table === 'stores')!.rows).toBe(1);
    expect((await t.request('GET', `/api/v1/stores/${row.id}`, { token: shop.accessToken })).body.data.attributes.name).toBe('Written while the move began');
  });

  it.each([
    ['the copy', 'target'],
    ['the source, past the fence', 'source'],
  ] as const)('aborts when %s changes after copying: the catalog does not switch and writes resume on the old shard', async (_what, side) => {
    const shop = await shopOn('a');
    const store = (await post(shop, 'Original name')).body.data;
    const mover = moverWith({
      copied: async () => {
        const db = await shards.dataSource(side === 'target' ? 'b' : 'a');
        await db.query('UPDATE stores SET name = ? WHERE tenant_id = ? AND id = ?', ['Tampered', shop.tenantId, store.id]);
      },
    });
    await expect(mover.move(shop.tenantId, 'b')).rejects.toThrow(/stores: copy differs/);

    expect(await catalogRow(shop.tenantId)).toMatchObject({ shardId: 'a', status: 'active' });
    expect(await fenceState(await shards.dataSource('a'), shop.tenantId)).toBe('open');
    expect((await post(shop, 'After the aborted move')).status).toBe(201);
  });

  it('puts the tenant back, writes open, when the target cannot take the copy', async () => {
    const shop = await shopOn('a');
    await post(shop, 'Stays put');
    await shards.dataSource('b');
    await proxy.stop();
    try {
      await expect(moverWith().move(shop.tenantId, 'b')).rejects.toThrow();
    } finally {
      await proxy.start();
    }
    expect(await catalogRow(shop.tenantId)).toMatchObject({ shardId: 'a', status: 'active' });
    expect((await post(shop, 'Still writing')).status).toBe(201);
  });

  it('puts the tenant back, unchanged, when its own shard cannot be read', async () => {
    const shop = await shopOn('b');
    await create(t, shop.accessToken, 'products', flower('Stays put'));
    await proxy.stop();
    try {
      await expect(moverWith().move(shop.tenantId, 'a')).rejects.toThrow();
    } finally {
      await proxy.start();
    }
    expect(await catalogRow(shop.tenantId)).toMatchObject({ shardId: 'b', status: 'active' });
  });
});
