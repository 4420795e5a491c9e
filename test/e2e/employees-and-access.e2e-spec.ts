import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower } from '../support/catalog-fixtures';
import { type Shop, freshIp, loginDocument, newEmployee, newShop, storeDocument } from '../support/fixtures';

describe(`employees, roles, store scope, devices and the audit log (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let arbat: string;
  let kiosk: string;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    arbat = (await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name: 'Arbat' }) })).body.data.id;
    kiosk = (await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name: 'Kiosk' }) })).body.data.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (token: string) => ({
    get: (url: string) => t.request('GET', url, { token }),
    post: (url: string, body: unknown) => t.request('POST', url, { token, body }),
    patch: (url: string, body: unknown) => t.request('PATCH', url, { token, body }),
    del: (url: string) => t.request('DELETE', url, { token }),
  });
  const patchEmployee = (token: string, id: string, attributes: Record<string, unknown>) =>
    as(token).patch(`/api/v1/employees/${id}`, { data: { type: 'employees', id, attributes } });

  describe('employees', () => {
    it('adds an employee with stores; name, e-mail and phone come back decrypted and findable by phone however written', async () => {
      const res = await as(shop.accessToken).post('/api/v1/employees', {
        data: {
          type: 'employees',
          attributes: { name: 'Olga Florist', email: 'Olga.Florist+1@Example.com', phone: '8 (916) 555-12-34', role: 'florist', password: 'olga password 1' },
          relationships: { stores: { data: [{ type: 'stores', id: arbat }] } },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.data.attributes).toMatchObject({ name: 'Olga Florist', email: 'Olga.Florist+1@Example.com', phone: '8 (916) 555-12-34', role: 'florist', active: true });
      expect(res.body.data.attributes).not.toHaveProperty('password');
      const byPhone = await as(shop.accessToken).get(`/api/v1/employees?filter[phone]=${encodeURIComponent('+7 916 555 1234')}`);
      expect(byPhone.body.data.map((e: any) => e.id)).toEqual([res.body.data.id]);
      const byEmail = await as(shop.accessToken).get(`/api/v1/employees?filter[email]=${encodeURIComponent('olga.florist+1@example.com')}&include=stores`);
      expect(byEmail.body.data.map((e: any) => e.id)).toEqual([res.body.data.id]);
      expect(byEmail.body.included.map((s: any) => s.id)).toEqual([arbat]);
      const login = await t.request('POST', '/api/v1/sessions', { body: loginDocument('olga.florist+1@example.com', 'olga password 1'), ip: freshIp() });
      expect(login.status).toBe(201);
    });

    it('refuses a phone it cannot read, and an e-mail someone already logs in with', async () => {
      const bad = await as(shop.accessToken).post('/api/v1/employees', {
        data: { type: 'employees', attributes: { name: 'X', email: 'x-phone@example.com', phone: '12345', role: 'florist', password: 'long password x' } },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].source.pointer).toBe('/data/attributes/phone');
      const taken = await as(shop.accessToken).post('/api/v1/employees', {
        data: { type: 'employees', attributes: { name: 'Copy', email: shop.email, role: 'florist', password: 'long password y' } },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.errors[0]).toMatchObject({ code: 'email-taken', source: { pointer: '/data/attributes/email' } });
    });

    it('deactivating an employee stops their tokens at once; reactivating lets them log in again', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      expect((await as(florist.accessToken).get('/api/v1/stores')).status).toBe(200);
      expect((await patchEmployee(shop.accessToken, florist.id, { active: false })).status).toBe(200);
      const after = await as(florist.accessToken).get('/api/v1/stores');
      expect(after.status).toBe(401);
      expect((await t.request('POST', '/api/v1/sessions', { body: loginDocument(florist.email, florist.password), ip: freshIp() })).status).toBe(401);
      expect((await patchEmployee(shop.accessToken, florist.id, { active: true })).status).toBe(200);
      expect((await t.request('POST', '/api/v1/sessions', { body: loginDocument(florist.email, florist.password), ip: freshIp() })).status).toBe(201);
    });

    it('keeps the last owner: no self-deactivation, no demoting the only owner', async () => {
      const me = (await as(shop.accessToken).get('/api/v1/employees?filter[role]=owner')).body.data[0].id;
      const demote = await patchEmployee(shop.accessToken, me, { role: 'manager' });
      expect(demote.status).toBe(409);
      expect(demote.body.errors[0].code).toBe('last-owner');
      expect((await patchEmployee(shop.accessToken, me, { active: false })).body.errors[0].code).toBe('self-deactivation');
    });

    it('lets a manager manage florists of their stores but not hand out manager or owner roles', async () => {
      const manager = await newEmployee(t, shop.accessToken, 'manager', [arbat]);
      const florist = await newEmployee(t, manager.accessToken, 'florist', [arbat]);
      const promote = await patchEmployee(manager.accessToken, florist.id, { role: 'manager' });
      expect(promote.status).toBe(403);
      expect(promote.body.errors[0].code).toBe('role-not-allowed');
      const elsewhere = await as(manager.accessToken).post(`/api/v1/employees/${florist.id}/relationships/stores`, { data: [{ type: 'stores', id: kiosk }] });
      expect([403, 404]).toContain(elsewhere.status);
      const owner = (await as(shop.accessToken).get('/api/v1/employees?filter[role]=owner')).body.data[0].id;
      expect((await as(manager.accessToken).get(`/api/v1/employees/${owner}`)).status).toBe(404);
    });
  });

  describe('roles and store scope', () => {
    it('shows a florist only the stores they work in, and another store is as missing as a made-up one', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [kiosk]);
      const stores = await as(florist.accessToken).get('/api/v1/stores');
      expect(stores.body.data.map((s: any) => s.id)).toEqual([kiosk]);
      expect((await as(florist.accessToken).get(`/api/v1/stores/${arbat}`)).status).toBe(404);
    });

    it('enforces the permission matrix on every role', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      const courier = await newEmployee(t, shop.accessToken, 'courier', [arbat]);
      const product = flower('Matrix rose');
      expect((await as(florist.accessToken).post('/api/v1/products', { data: { type: 'products', attributes: product } })).status).toBe(403);
      expect((await as(florist.accessToken).get('/api/v1/employees')).status).toBe(403);
      expect((await as(florist.accessToken).get('/api/v1/audit-events')).status).toBe(403);
      expect((await as(courier.accessToken).get('/api/v1/suppliers')).status).toBe(403);
      expect((await as(florist.accessToken).get('/api/v1/suppliers')).status).toBe(200);
      expect((await as(courier.accessToken).post('/api/v1/stores', storeDocument({ name: 'Courier store' }))).status).toBe(403);
    });
  });

  describe('device tokens', () => {
    it('gives a POS terminal a token bound to one store, shown once, revoked at once', async () => {
      const created = await as(shop.accessToken).post('/api/v1/device-tokens', {
        data: { type: 'device-tokens', attributes: { name: 'Till 1' }, relationships: { store: { data: { type: 'stores', id: kiosk } } } },
      });
      expect(created.status).toBe(201);
      const token = created.body.data.attributes.token as string;
      expect(token).toMatch(/^bdd1\./);
      const later = await as(shop.accessToken).get(`/api/v1/device-tokens/${created.body.data.id}`);
      expect(later.body.data.attributes.token).toBeNull();

      const device = as(token);
      expect((await device.get('/api/v1/stores')).body.data.map((s: any) => s.id)).toEqual([kiosk]);
      expect((await device.get('/api/v1/employees')).status).toBe(403);
      await create(t, shop.accessToken, 'products', flower('Device-visible rose'));
      expect((await device.get('/api/v1/products')).status).toBe(200);

      expect((await as(shop.accessToken).del(`/api/v1/device-tokens/${created.body.data.id}`)).status).toBe(204);
      const revoked = await device.get('/api/v1/stores');
      expect(revoked.status).toBe(401);
      expect((await as(`${token.slice(0, -4)}AAAA`).get('/api/v1/stores')).status).toBe(401);
    });
  });

  describe('audit log', () => {
    it('records logins, failed logins, role changes and deletions, readable by the owner', async () => {
      const own = await newShop(t);
      await t.request('POST', '/api/v1/sessions', { body: loginDocument(own.email, 'a wrong password!'), ip: '10.9.8.7' });
      const florist = await newEmployee(t, own.accessToken, 'florist');
      await patchEmployee(own.accessToken, florist.id, { role: 'courier' });
      const rose = await create(t, own.accessToken, 'products', flower('Audited rose'));
      await as(own.accessToken).del(`/api/v1/products/${rose.id}`);

      const events = await as(own.accessToken).get('/api/v1/audit-events?sort=occurredAt&page[size]=100');
      expect(events.status).toBe(200);
      const actions = events.body.data.map((e: any) => e.attributes.action);
      expect(actions).toEqual(expect.arrayContaining(['login.succeeded', 'login.failed', 'employee.created', 'employee.role-changed', 'products.deleted']));
      const failed = events.body.data.find((e: any) => e.attributes.action === 'login.failed');
      expect(failed.attributes).toMatchObject({ actorType: 'anonymous', ip: '10.9.8.7' });
      const change = events.body.data.find((e: any) => e.attributes.action === 'employee.role-changed');
      expect(JSON.parse(change.attributes.details)).toEqual({ from: 'florist', to: 'courier' });
      expect(change.attributes.target).toBe(`employees/${florist.id}`);
      expect(change.relationships.employee.data).toEqual({ type: 'employees', id: expect.any(String) });
      const deleted = events.body.data.find((e: any) => e.attributes.action === 'products.deleted');
      expect(deleted.attributes.target).toBe(`products/${rose.id}`);
      expect(t.logs.join('')).not.toContain('10.9.8.7');
    });
  });
});
