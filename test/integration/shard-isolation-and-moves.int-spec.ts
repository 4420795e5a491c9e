import 'reflect-metadata';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { Tenant } from '../../src/modules/tenants/entities/tenant';
import { TenantMover } from '../../src/modules/tenants/tenant-mover';
import { type TestApp, bootApp } from '../support/app-harness';
import { bouquet, create, flower } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf, storeDocument } from '../support/fixtures';
import { MYSQL_ROOT_URL, testDatabases } from '../support/services-env';
import { TcpProxy } from '../support/tcp-proxy';

// Services profile only: two MySQL shards, one of them behind a relay the test can cut.
describe('shards: failure isolation and tenant moves', () => {
  let t: TestApp;
  const proxy = new TcpProxy(3306);

  beforeAll(async () => {
    const port = await proxy.start();
    const [, a, b] = testDatabases();
    t = await bootApp({ SHARD_DATABASE_URLS: `a=${MYSQL_ROOT_URL}/${a},b=mysql://root@127.0.0.1:${port}/${b}` });
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  /** Signs shops up until one lands on each shard (least-loaded placement alternates). */
  async function shopsOnEachShard(): Promise<Record<'a' | 'b', Shop>> {
    const found: Partial<Record<'a' | 'b', Shop>> = {};
    for (let i = 0; i < 10 && !(found.a && found.b); i++) {
      const shop = await newShop(t);
      found[(await shardOf(t, shop.tenantId)) as 'a' | 'b'] ??= shop;
    }
    return found as Record<'a' | 'b', Shop>;
  }

  it("fails only the stopped shard's tenants, shows it on /health, and recovers without a restart", async () => {
    const { a, b } = await shopsOnEachShard();
    await create(t, b.accessToken, 'products', flower('Before the outage'));

    await proxy.stop();
    const down = await t.request('GET', '/api/v1/products', { token: b.accessToken });
    expect(down.status).toBe(503);
    expect(down.body.errors[0].code).toBe('shard-unavailable');
    expect((await t.request('GET', '/api/v1/products', { token: a.accessToken })).status).toBe(200);
    expect((await t.request('POST', '/api/v1/stores', { token: a.accessToken, body: storeDocument({ name: 'Still open' }) })).status).toBe(201);
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

  it('moves a tenant to another shard with every row verified, then drops the old copy on request', async () => {
    const shop = await newShop(t);
    const from = await shardOf(t, shop.tenantId);
    const to = from === 'a' ? 'b' : 'a';
    const { product } = await bouquet(t, shop.accessToken, 'Moving bouquet', 3);
    await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name: 'Moving store' }) });

    const shards = t.app.get(ShardRegistry);
    const lines: string[] = [];
    const mover = new TenantMover(t.app.get(CatalogDatabase).dataSource, (id) => shards.dataSource(id), (l) => lines.push(l), 200);
    const moving = mover.move(shop.tenantId, to);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const blocked = await t.request('POST', '/api/v1/products', { token: shop.accessToken, body: { data: { type: 'products', attributes: flower('During the move') } } });
    expect(blocked.status).toBe(503);
    expect(blocked.body.errors[0].code).toBe('tenant-moving');
    expect((await t.request('GET', `/api/v1/products/${product.id}`, { token: shop.accessToken })).status).toBe(200);
    const report = await moving;

    expect(report).toMatchObject({ from, to });
    expect(report.tables.find((r) => r.table === 'products')!.rows).toBe(4);
    expect(report.tables.find((r) => r.table === 'recipe_items')!.rows).toBe(3);
    expect(await shardOf(t, shop.tenantId)).toBe(to);
    const read = await t.request('GET', `/api/v1/products/${product.id}?include=components.component`, { token: shop.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.included).toHaveLength(6);
    expect((await t.request('POST', '/api/v1/products', { token: shop.accessToken, body: { data: { type: 'products', attributes: flower('After the move') } } })).status).toBe(201);

    const old = await shards.dataSource(from);
    expect(await old.manager.countBy('products', { tenantId: shop.tenantId })).toBe(4);
    await expect(mover.dropCopy(shop.tenantId, to)).rejects.toThrow(/refusing/);
    expect(await mover.dropCopy(shop.tenantId, from)).toBeGreaterThanOrEqual(8);
    expect(await old.manager.countBy('products', { tenantId: shop.tenantId })).toBe(0);
    expect((await t.app.get(CatalogDatabase).manager.findOneByOrFail(Tenant, { id: shop.tenantId })).status).toBe('active');
  });

  it('puts the tenant back, unchanged, when the target shard cannot take the copy', async () => {
    const { b: shop } = await shopsOnEachShard();
    await create(t, shop.accessToken, 'products', flower('Stays put'));
    await proxy.stop();
    const shards = t.app.get(ShardRegistry);
    // The tenant is on b (behind the cut relay); moving to a must read b and fails.
    const mover = new TenantMover(t.app.get(CatalogDatabase).dataSource, (id) => shards.dataSource(id), () => undefined, 0);
    await expect(mover.move(shop.tenantId, 'a')).rejects.toThrow();
    await proxy.start();
    const tenant = await t.app.get(CatalogDatabase).manager.findOneByOrFail(Tenant, { id: shop.tenantId });
    expect(tenant).toMatchObject({ shardId: 'b', status: 'active' });
  });
});
