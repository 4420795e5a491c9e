import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { AuditLogService } from '../../src/modules/tenants/audit-log.service';
import { SessionService } from '../../src/modules/tenants/session.service';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower } from '../support/catalog-fixtures';
import { type Shop, freshIp, loginDocument, newShop } from '../support/fixtures';
import { ownDatabases } from '../support/own-databases';

// The suite hides the audit table for a moment: on the services profile it gets
// databases of its own, so no other suite's audit log goes missing meanwhile.
describe(`the audit log when it cannot be written (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let drop: (() => Promise<void>) | undefined;
  let ownEnv: Record<string, string> = {};

  beforeAll(async () => {
    const own = PROFILE === 'services' ? await ownDatabases() : undefined;
    drop = own?.drop;
    ownEnv = own?.env ?? {};
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
      // The failed login's event is written after its answer: let it meet the hidden table.
      await t.app.get(SessionService).auditWritten();
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

  it('answers a failed login to a known account without waiting for its event, and a shutdown still writes it', async () => {
    // Its own app on the suite's databases (embedded: a DATA_DIR of its own), so it can be shut down.
    const env = PROFILE === 'services' ? ownEnv : { DATA_DIR: mkdtempSync(join(tmpdir(), 'bloomdesk-audit-')) };
    const first = await bootApp(env);
    let owner: Shop;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      owner = await newShop(first);
      const audit = first.app.get(AuditLogService);
      const record = audit.record.bind(audit);
      jest.spyOn(audit, 'record').mockImplementation(async (actor, event) => {
        if (event.action === 'login.failed') await held;
        return record(actor, event);
      });
      const answered = first.request('POST', '/api/v1/sessions', { body: loginDocument(owner.email, 'not the password'), ip: '10.66.55.44' });
      const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting for the audit write'), 5000));
      expect(await Promise.race([answered.then((r) => r.status), waited])).toBe(401);
    } finally {
      const closing = first.close();
      // The write is still held: the shutdown must wait for it, not drop it.
      setTimeout(release, 200);
      await closing;
    }
    const second = await bootApp(env);
    try {
      const login = await second.request('POST', '/api/v1/sessions', { body: loginDocument(owner.email, owner.password), ip: freshIp() });
      const events = await second.request('GET', '/api/v1/audit-events?filter[action]=login.failed', { token: login.body.data.attributes.accessToken });
      expect(events.body.data).toHaveLength(1);
      expect(events.body.data[0].attributes).toMatchObject({ actorType: 'anonymous', ip: '10.66.55.44' });
    } finally {
      await second.close();
      if (PROFILE === 'embedded') rmSync(env.DATA_DIR!, { recursive: true, force: true });
    }
  });
});
