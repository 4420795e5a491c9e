import { stockCheck } from '../../src/cli/stock-check';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { one } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { ownDatabases } from '../support/own-databases';
import { servicesEnv } from '../support/services-env';
import { atomic, documentOperations, newStore, receive, stemProduct } from '../support/stock-fixtures';

// The command as an operator runs it, on databases of this suite's own: it checks
// every tenant on every shard, so another suite's rows must not be there.
describe(`npm run stock:check (${PROFILE})`, () => {
  let t: TestApp;
  let env: Record<string, string>;
  let drop: () => Promise<void> = async () => undefined;
  let shop: Shop;

  beforeAll(async () => {
    if (PROFILE === 'services') {
      const own = await ownDatabases();
      drop = own.drop;
      env = { ...servicesEnv(), ...own.env };
      t = await bootApp(own.env);
    } else {
      t = await bootApp();
      env = { NODE_ENV: 'test', DATA_DIR: t.config.dataDir };
    }
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
    await drop();
  });

  const run = async (environment = env) => {
    const lines: string[] = [];
    const code = await stockCheck(environment, (line) => lines.push(line));
    return { code, lines };
  };

  it('exits 0 when the ledger adds up, and 1 naming each discrepancy planted in it', async () => {
    const [store, other] = [await newStore(t, shop.accessToken, 'Checked'), await newStore(t, shop.accessToken, 'Checked too')];
    const rose = await stemProduct(t, shop.accessToken, 'Checked rose');
    await receive(t, shop.accessToken, store, [{ product: rose.id, quantity: '10', unitCost: 100 }]);
    const moved = await atomic(t, shop.accessToken, documentOperations('transfers', 'transfer', { relationships: { fromStore: one('stores', store), toStore: one('stores', other) } }, [{ product: rose.id, quantity: '3' }]));
    expect(moved.status).toBe(200);
    const shardId = await shardOf(t, shop.tenantId);

    const good = await run();
    expect(good.code).toBe(0);
    expect(good.lines).toEqual([`${shardId} ${shop.tenantId}: 1 levels, 1 batches, consistent`, 'checked 1 tenant(s) with stock: the ledger adds up']);

    const shard = await t.app.get(ShardRegistry).dataSource(shardId);
    await shard.query('UPDATE stock_levels SET quantity = quantity + 1 WHERE tenant_id = ? AND store_id = ? AND product_id = ?', [shop.tenantId, store, rose.id]);
    await shard.query("UPDATE transfers SET status = 'received' WHERE tenant_id = ?", [shop.tenantId]);
    const bad = await run();
    expect(bad.code).toBe(1);
    expect(bad.lines).toEqual([
      `${shardId} ${shop.tenantId}: 1 levels, 1 batches, 3 DISCREPANCIES`,
      `  store ${store} product ${rose.id}: level is 8 but its movements sum to 7`,
      `  store ${store} product ${rose.id}: level is 8 but batches hold 7 and 0 moved without a batch`,
      `  store ${other} product ${rose.id} transfer ${moved.body['atomic:results'][0].data.id}: transfer received: 0 arrived of 3 sent`,
      'checked 1 tenant(s) with stock: 3 discrepancies',
    ]);
  });

  it('exits 2 when it cannot run', async () => {
    const lines: string[] = [];
    expect(await stockCheck({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379' }, () => undefined, (line) => lines.push(line))).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^bloomdesk: stock check failed: .*CATALOG_DATABASE_URL/)]);
  });
});
