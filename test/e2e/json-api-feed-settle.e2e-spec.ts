import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { Product } from '../../src/modules/inventory/entities';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';

const SETTLE_MS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A write stamps updatedAt before it commits, so a slow transaction can commit a row
// whose updatedAt is earlier than one a device has already read past: a feed that
// handed out that later row's cursor would skip the slow one for ever.
describe(`a changes feed waits out its settle window (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp({ FEED_SETTLE_MS: String(SETTLE_MS) });
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A device following the feed: from its last cursor, or from the start time while it has none. */
  async function follow(since: string, cursor: string | undefined): Promise<{ ids: string[]; cursor: string | undefined }> {
    const from = cursor ? `page[after]=${cursor}` : `filter[updatedSince]=${since}`;
    const res = await t.request('GET', `/api/v1/products?${from}&page[size]=50`, { token: shop.accessToken });
    expect(res.status).toBe(200);
    const ids = res.body.data.map((p: any) => p.id as string);
    return { ids, cursor: res.body.data.length ? res.body.data[res.body.data.length - 1].meta.page.cursor : cursor };
  }

  it('hands out no row changed within the window, so one that commits late with an earlier updatedAt is not skipped', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const early = await create(t, shop.accessToken, 'products', flower('Fast write'));

    // Read at once: the fast write is still inside the window.
    let device = await follow(since, undefined);
    expect(device.ids).toEqual([]);

    // A slow transaction commits now a row it stamped before the fast one.
    const late = await create(t, shop.accessToken, 'products', flower('Slow write'));
    const db = await t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
    const stamped = new Date(new Date(early.attributes.updatedAt).getTime() - 5);
    await db.manager.update(Product, { tenantId: shop.tenantId, id: late.id }, { updatedAt: stamped });

    await sleep(SETTLE_MS + 200);
    const seen: string[] = [];
    device = await follow(since, device.cursor);
    seen.push(...device.ids);
    device = await follow(since, device.cursor);
    seen.push(...device.ids);
    expect(seen).toEqual([late.id, early.id]);
  });

  it('keeps next null while what is newer is still inside the window', async () => {
    const own = await newShop(t);
    const since = new Date(Date.now() - 60_000).toISOString();
    await create(t, own.accessToken, 'products', flower('Too fresh'));
    const page = await t.request('GET', `/api/v1/products?filter[updatedSince]=${since}&page[size]=1`, { token: own.accessToken });
    expect(page.body.data).toEqual([]);
    expect(page.body.links).toMatchObject({ prev: null, next: null });
  });
});
