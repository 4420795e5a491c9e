import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower } from '../support/catalog-fixtures';
import { type Shop, loginDocument, newShop } from '../support/fixtures';
import { ownDatabases } from '../support/own-databases';

// The suite hides the audit table for a moment: on the services profile it gets
// databases of its own, so no other suite's audit log goes missing meanwhile.
describe(`the audit log when it cannot be written (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const own = PROFILE === 'services' ? await ownDatabases() : undefined;
    drop = own?.drop;
    t = await bootApp(own?.env ?? {});
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const hideAuditTable = (hidden: boolean) =>
    t.app.get(CatalogDatabase).dataSource.query(hidden ? 'ALTER TABLE audit_events RENAME TO audit_events_hidden' : 'ALTER TABLE audit_events_hidden RENAME TO audit_events');
  const lost = async (action: string) => {
    const text = (await t.request('GET', '/metrics')).text;
    return Number(new RegExp(`^bloomdesk_audit_events_lost_total\\{action="${action.replace('.', '\\.')}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  it('still answers the request, logs the loss by action only and counts it on /metrics', async () => {
    const rose = await create(t, shop.accessToken, 'products', flower('Unaudited rose'));
    await hideAuditTable(true);
    try {
      expect((await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, 'not the password'), ip: '10.77.66.55' })).status).toBe(401);
      expect((await t.request('DELETE', `/api/v1/products/${rose.id}`, { token: shop.accessToken })).status).toBe(204);
    } finally {
      await hideAuditTable(false);
    }
    expect(await lost('login.failed')).toBe(1);
    expect(await lost('products.deleted')).toBe(1);
    const logs = t.logs.join('');
    expect(logs).toContain('audit event products.deleted not recorded');
    expect(logs).not.toContain('10.77.66.55');

    const again = await create(t, shop.accessToken, 'products', flower('Audited rose'));
    await t.request('DELETE', `/api/v1/products/${again.id}`, { token: shop.accessToken });
    const events = (await t.request('GET', '/api/v1/audit-events?filter[action]=products.deleted', { token: shop.accessToken })).body.data;
    expect(events.map((e: any) => e.attributes.target)).toEqual([`products/${again.id}`]);
    expect(await lost('products.deleted')).toBe(1);
  });
});
