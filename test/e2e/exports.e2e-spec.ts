import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { ResourceExporter } from '../../src/infra/json-api/resource-export';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../src/modules/secrets/encryption.provider';
import { AuditLogService } from '../../src/modules/tenants/audit-log.service';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower } from '../support/catalog-fixtures';
import { csvRecords, exportCsv } from '../support/csv';
import { type Member, type Shop, newEmployee, newShop, shardOf } from '../support/fixtures';
import { newStore, receive } from '../support/stock-fixtures';

/** The suppliers' phones below, written any way (as typed, or E.164): three digits alone would match request ids and ciphertexts by chance. */
const PHONES = /916\D?123\D?45\D?67|916\D?765\D?43\D?21/;

/** The cap of this suite: small, so "over the cap" needs six rows, not a hundred thousand. */
const MAX_ROWS = 5;

const PRODUCT_COLUMNS = ['id', 'sku', 'name', 'kind', 'unit', 'bunchSize', 'price', 'shelfLifeDays', 'trackStock', 'archived', 'createdAt', 'updatedAt'];
const MOVEMENT_COLUMNS = ['id', 'kind', 'quantity', 'cost', 'occurredAt', 'reason', 'documentType', 'createdAt', 'store', 'product', 'batch', 'employee', 'goodsReceipt', 'writeOff', 'transfer', 'stockCount'];

describe(`CSV exports (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let other: Shop;
  let manager: Member;
  let florist: Member;
  let arbat: string;
  let tverskaya: string;
  const products: Record<string, string> = {};

  beforeAll(async () => {
    t = await bootApp({ EXPORT_MAX_ROWS: String(MAX_ROWS) });
    [shop, other] = [await newShop(t), await newShop(t)];
    arbat = await newStore(t, shop.accessToken, 'Arbat');
    tverskaya = await newStore(t, shop.accessToken, 'Tverskaya');
    manager = await newEmployee(t, shop.accessToken, 'manager', [arbat]);
    florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
    // Six products: one more than an export may hold.
    for (const [key, attributes] of Object.entries({
      rose: { ...flower('Rose "Red Naomi", 60 cm', 15000), sku: 'R-60' },
      tulip: { ...flower('Tulip', 9000), sku: 'T-1' },
      peony: { ...flower('Peony', 30000), sku: 'P-1' },
      formula: { ...flower('=HYPERLINK("http://evil.example","click")', 100), sku: '-2-3' },
      vase: { name: 'Vase', kind: 'accessory', unit: 'piece', price: 120000 },
      card: { name: 'Card\nwith a line break', kind: 'accessory', unit: 'piece', price: 5000 },
    })) {
      products[key] = (await create(t, shop.accessToken, 'products', attributes)).id;
    }
    await receive(t, shop.accessToken, arbat, [
      { product: products.rose, quantity: '20', unitCost: 7000 },
      { product: products.tulip, quantity: '30', unitCost: 4000 },
    ]);
    await receive(t, shop.accessToken, tverskaya, [{ product: products.peony, quantity: '10', unitCost: 12000 }]);
  });
  afterAll(async () => {
    await t.close();
  });

  const exportEvents = async () =>
    (await t.request('GET', '/api/v1/audit-events?filter[action]=data.exported&sort=-occurredAt', { token: shop.accessToken })).body.data as any[];

  it('exports the filtered, sorted products as RFC 4180 CSV with a BOM, a header row and the values the list shows', async () => {
    const res = await exportCsv(t, shop.accessToken, 'products', 'filter[kind]=flower&sort=-price');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="products-${new Date().toISOString().slice(0, 10)}.csv"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text.startsWith('\uFEFFid,sku,name,')).toBe(true);
    const { header, records } = csvRecords(res.text);
    expect(header).toEqual(PRODUCT_COLUMNS);
    expect(records.map((r) => r.id)).toEqual([products.peony, products.rose, products.tulip, products.formula]);
    const listed = (await t.request('GET', `/api/v1/products/${products.rose}`, { token: shop.accessToken })).body.data;
    expect(records[1]).toEqual({
      id: products.rose,
      sku: 'R-60',
      name: 'Rose "Red Naomi", 60 cm',
      kind: 'flower',
      unit: 'stem',
      bunchSize: '',
      price: '15000',
      shelfLifeDays: '7',
      trackStock: String(listed.attributes.trackStock),
      archived: 'false',
      createdAt: listed.attributes.createdAt,
      updatedAt: listed.attributes.updatedAt,
    });
    expect(res.headers['x-export-rows']).toBe('4');
  });

  it('neutralises cells a spreadsheet would run as formulas, and keeps line breaks inside quotes', async () => {
    const res = await exportCsv(t, shop.accessToken, 'products', 'filter[sku]=-2-3');
    const { records } = csvRecords(res.text);
    expect(records).toHaveLength(1);
    expect(records[0].name).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(records[0].sku).toBe(`'-2-3`);
    // A plain number is still a number.
    expect(records[0].price).toBe('100');
    const card = csvRecords((await exportCsv(t, shop.accessToken, 'products', 'filter[kind]=accessory&sort=name')).text).records;
    expect(card.map((r) => r.name)).toEqual(['Card\nwith a line break', 'Vase']);
  });

  it('exports stock movements with cost and the to-one relationship ids, filtered by store and sorted', async () => {
    const res = await exportCsv(t, shop.accessToken, 'stock-movements', `filter[store]=${arbat}&sort=occurredAt`);
    expect(res.status).toBe(200);
    const { header, records } = csvRecords(res.text);
    expect(header).toEqual(MOVEMENT_COLUMNS);
    expect(records.map((r) => [r.product, r.quantity, r.cost, r.store, r.kind])).toEqual(
      expect.arrayContaining([
        [products.rose, expect.stringMatching(/^20(\.0+)?$/), '140000', arbat, 'receipt'],
        [products.tulip, expect.stringMatching(/^30(\.0+)?$/), '120000', arbat, 'receipt'],
      ]),
    );
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.goodsReceipt !== '' && r.batch !== '')).toBe(true);
    const times = records.map((r) => r.occurredAt);
    expect([...times].sort()).toEqual(times);
  });

  it('reads the rows a page at a time, decrypting each page in one call, and sends each row once', async () => {
    jest.replaceProperty(t.app.get(ResourceExporter), 'batchSize', 2);
    const decrypt = jest.spyOn(t.app.get<EncryptionProvider>(ENCRYPTION_PROVIDER), 'decrypt');
    try {
      const flowers = csvRecords((await exportCsv(t, shop.accessToken, 'products', 'filter[kind]=flower&sort=name')).text).records;
      expect(flowers.map((r) => r.id)).toEqual([products.formula, products.peony, products.rose, products.tulip]);
      // The other shop's, so the rest of the suite sees only its own two suppliers.
      await create(t, other.accessToken, 'suppliers', { name: 'Paged supplier one', contactPhone: '8 900 000-00-01' });
      await create(t, other.accessToken, 'suppliers', { name: 'Paged supplier two', contactPhone: '8 900 000-00-02' });
      await create(t, other.accessToken, 'suppliers', { name: 'Paged supplier three', contactPhone: '8 900 000-00-03' });
      decrypt.mockClear();
      const suppliers = csvRecords((await exportCsv(t, other.accessToken, 'suppliers', 'sort=-name')).text).records;
      expect(suppliers.map((r) => r.contactPhone)).toEqual(['8 900 000-00-02', '8 900 000-00-03', '8 900 000-00-01']);
      // Two pages (2 + 1 rows), one decryption call each; the audit event encrypts, never decrypts.
      expect(decrypt.mock.calls.map(([, values]) => values.length)).toEqual([2, 1]);
    } finally {
      decrypt.mockRestore();
      jest.restoreAllMocks();
    }
  });

  it('lets a manager export only the rows of their stores', async () => {
    for (const type of ['stock-movements', 'stock-levels']) {
      const all = csvRecords((await exportCsv(t, manager.accessToken, type)).text).records;
      expect({ type, stores: [...new Set(all.map((r) => r.store))] }).toEqual({ type, stores: [arbat] });
      expect({ type, rows: all.length }).toEqual({ type, rows: 2 });
      const elsewhere = await exportCsv(t, manager.accessToken, type, `filter[store]=${tverskaya}`);
      expect({ type, status: elsewhere.status, rows: csvRecords(elsewhere.text).records }).toEqual({ type, status: 200, rows: [] });
    }
  });

  it('decrypts a supplier’s phone into the export', async () => {
    const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Dutch Flowers, Ltd', contactPhone: '+7 916 123-45-67' });
    const plain = await create(t, shop.accessToken, 'suppliers', { name: 'Local farm', contactPhone: '8 916 765-43-21' });
    const res = await exportCsv(t, shop.accessToken, 'suppliers', 'sort=name');
    const { header, records } = csvRecords(res.text);
    expect(header).toEqual(['id', 'name', 'contactPhone', 'createdAt', 'updatedAt']);
    expect(records.map((r) => [r.id, r.name, r.contactPhone])).toEqual([
      [supplier.id, 'Dutch Flowers, Ltd', "'+7 916 123-45-67"],
      [plain.id, 'Local farm', '8 916 765-43-21'],
    ]);
  });

  it('refuses roles without the export permission (403) and other tenants see only their own rows', async () => {
    for (const type of ['products', 'stock-movements', 'suppliers', 'stock-levels', 'audit-events']) {
      const res = await exportCsv(t, florist.accessToken, type);
      expect({ type, status: res.status, code: res.body?.errors?.[0]?.code }).toEqual({ type, status: 403, code: 'forbidden' });
    }
    expect((await exportCsv(t, manager.accessToken, 'audit-events')).status).toBe(403);
    const theirs = await exportCsv(t, other.accessToken, 'products');
    expect(csvRecords(theirs.text).records).toEqual([]);
    const byOurIds = await exportCsv(t, other.accessToken, 'stock-movements', `filter[product]=${Object.values(products).join(',')}`);
    expect(csvRecords(byOurIds.text).records).toEqual([]);
    expect(byOurIds.text).not.toContain(products.rose);
  });

  it('parses filters and sort exactly like the list: 400 naming the parameter, as a JSON:API error document', async () => {
    const cases: Array<[string, string]> = [
      ['filter[price][gte]=cheap', 'filter[price][gte]'],
      ['filter[colour]=red', 'filter[colour]'],
      ['sort=unit', 'sort'],
      ['page[size]=10', 'page[size]'],
      ['include=suppliers', 'include'],
      ['fields[products]=name', 'fields[products]'],
    ];
    for (const [query, parameter] of cases) {
      const res = await exportCsv(t, shop.accessToken, 'products', query);
      expect({ query, status: res.status, type: res.headers['content-type'], parameter: res.body?.errors?.[0]?.source?.parameter }).toEqual({
        query,
        status: 400,
        type: 'application/vnd.api+json',
        parameter,
      });
    }
  });

  it('answers text/csv only: Accept must allow it', async () => {
    const jsonApiOnly = await t.request('GET', '/api/v1/products/export?filter[kind]=flower', { token: shop.accessToken });
    expect(jsonApiOnly.status).toBe(406);
    expect(jsonApiOnly.body.errors[0].source).toEqual({ header: 'Accept' });
    for (const accept of ['*/*', 'text/*', 'text/csv;q=0.5, application/json']) {
      const res = await t.request('GET', '/api/v1/products/export?filter[kind]=flower', { token: shop.accessToken, headers: { accept } });
      expect({ accept, status: res.status }).toEqual({ accept, status: 200 });
    }
  });

  it('does not take "export" for an id, and leaves the other routes of the type as they were', async () => {
    expect((await t.request('GET', `/api/v1/products/${products.rose}`, { token: shop.accessToken })).status).toBe(200);
    const patched = await t.request('PATCH', '/api/v1/products/export', { token: shop.accessToken, body: { data: { type: 'products', id: 'export', attributes: {} } } });
    expect(patched.status).toBeGreaterThanOrEqual(400);
    expect(patched.status).toBeLessThan(500);
    // A type without `export` in its definition has no export route.
    const stores = await t.request('GET', '/api/v1/stores/export', { token: shop.accessToken });
    expect(stores.status).toBe(404);
  });

  it('refuses an export over the cap before anything is sent or recorded, asking to narrow the filters', async () => {
    const before = (await exportEvents()).length;
    const res = await exportCsv(t, shop.accessToken, 'products');
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: 'export-too-large', meta: { rows: 6, maxRows: MAX_ROWS } });
    expect(res.body.errors[0].detail).toMatch(/filter/);
    expect((await exportEvents()).length).toBe(before);
  });

  it('puts every export on the audit log first: who, when, from where, the type, the rows and the names of the filters (never their values)', async () => {
    const started = Date.now();
    const res = await t.request('GET', '/api/v1/stock-movements/export?filter[store]=' + arbat + '&filter[occurredAt][gte]=2000-01-01T00:00:00Z', {
      token: shop.accessToken,
      headers: { accept: 'text/csv' },
      ip: '10.20.30.40',
    });
    expect(res.status).toBe(200);
    const [event] = await exportEvents();
    expect(event.attributes).toMatchObject({ action: 'data.exported', actorType: 'user', targetType: 'stock-movements', ip: '10.20.30.40' });
    expect(JSON.parse(event.attributes.details)).toEqual({ format: 'csv', rows: 2, filters: 'occurredAt,store' });
    expect(new Date(event.attributes.occurredAt).getTime()).toBeGreaterThanOrEqual(started - 1000);
    const ownerId = JSON.parse(Buffer.from(shop.accessToken.split('.')[1], 'base64url').toString()).sub;
    expect(event.relationships.employee.data).toEqual({ type: 'employees', id: ownerId });
    expect(JSON.stringify(event)).not.toContain(arbat);
    // The owner can export the log itself, and that is on record too.
    const logged = await exportCsv(t, shop.accessToken, 'audit-events', `filter[action]=data.exported&filter[occurredAt][gte]=${new Date(started).toISOString()}`);
    expect({ status: logged.status, body: logged.body }).toEqual({ status: 200, body: undefined });
    const log = csvRecords(logged.text);
    expect(log.header).toEqual(['id', 'occurredAt', 'action', 'actorType', 'targetType', 'target', 'ip', 'ipWithheld', 'details', 'updatedAt', 'employee', 'device']);
    expect(log.records.map((r) => r.id)).toContain(event.id);
    expect(log.records.find((r) => r.id === event.id)?.ip).toBe('10.20.30.40');
    expect((await exportEvents())[0].attributes.targetType).toBe('audit-events');
  });

  it('fails, sending no CSV, when the audit event cannot be recorded', async () => {
    const sink = t.app.get(AuditLogService);
    const spy = jest.spyOn(sink, 'recordOrFail').mockRejectedValueOnce(new Error('catalog unavailable'));
    try {
      const res = await exportCsv(t, shop.accessToken, 'suppliers');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('application/vnd.api+json');
      expect(res.body.errors[0].code).toBe('export-not-recorded');
      expect(res.text).not.toContain('Dutch Flowers');
      expect(res.text).not.toMatch(PHONES);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('logs the request line only: no CSV content', async () => {
    const from = t.logs.length;
    await exportCsv(t, shop.accessToken, 'suppliers');
    const logs = t.logs.slice(from).join('');
    expect(logs).toContain('/api/v1/suppliers/export');
    expect(logs).not.toContain('Dutch Flowers');
    expect(logs).not.toMatch(PHONES);
  });

  it('never stores the exported plaintext anywhere: the phone is still ciphertext at rest', async () => {
    const db = await t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
    const rows = await db.query('SELECT contact_phone_ciphertext AS phone FROM suppliers WHERE tenant_id = ?', [shop.tenantId]);
    expect(rows.length).toBe(2);
    expect(JSON.stringify(rows)).not.toMatch(PHONES);
    const audit = await t.app.get(CatalogDatabase).dataSource.query("SELECT details FROM audit_events WHERE tenant_id = ? AND action = 'data.exported'", [shop.tenantId]);
    expect(JSON.stringify(audit)).not.toMatch(PHONES);
  });
});
