import { PrincipalRepository } from '../../src/modules/tenants/principal.repository';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, newEmployee, newShop, storeDocument } from '../support/fixtures';

// The principal behind a credential is kept in process between requests and checked
// against its versions on every one (in Redis on the services profile, in process on
// the embedded one): one catalog query per credential until something changes it.
describe(`principals kept between requests (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  let store: string;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    store = (await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name: 'Kept' }) })).body.data.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (token: string, url = '/api/v1/stores') => t.request('GET', url, { token });

  it('loads a session once, and again after each change that concerns it', async () => {
    const member = await newEmployee(t, shop.accessToken, 'florist', [store]);
    const loads = jest.spyOn(t.app.get(PrincipalRepository), 'forSession');
    try {
      for (let i = 0; i < 3; i++) expect((await get(member.accessToken)).status).toBe(200);
      expect(loads).toHaveBeenCalledTimes(1);
      expect((await get(member.accessToken, '/api/v1/products')).status).toBe(200);

      const patch = await t.request('PATCH', `/api/v1/employees/${member.id}`, {
        token: shop.accessToken,
        body: { data: { type: 'employees', id: member.id, attributes: { role: 'courier' } } },
      });
      expect(patch.status).toBe(200);
      const before = loads.mock.calls.length;
      expect((await get(member.accessToken, '/api/v1/products')).status).toBe(403);
      expect(loads.mock.calls.length).toBe(before + 1);
      expect((await get(member.accessToken)).status).toBe(200);
      expect(loads.mock.calls.length).toBe(before + 1);

      expect((await t.request('DELETE', '/api/v1/sessions/current', { token: member.accessToken })).status).toBe(204);
      expect((await get(member.accessToken)).status).toBe(401);
    } finally {
      loads.mockRestore();
    }
  });

  it('loads a device once, checks its secret on every request, and refuses it once revoked', async () => {
    const created = await t.request('POST', '/api/v1/device-tokens', {
      token: shop.accessToken,
      body: { data: { type: 'device-tokens', attributes: { name: 'Till' }, relationships: { store: { data: { type: 'stores', id: store } } } } },
    });
    const device = created.body.data.attributes.token as string;
    const loads = jest.spyOn(t.app.get(PrincipalRepository), 'forDevice');
    try {
      for (let i = 0; i < 3; i++) expect((await get(device)).status).toBe(200);
      expect((await get(`${device.slice(0, -4)}AAAA`)).status).toBe(401);
      expect(loads).toHaveBeenCalledTimes(1);
      expect((await t.request('DELETE', `/api/v1/device-tokens/${created.body.data.id}`, { token: shop.accessToken })).status).toBe(204);
      expect((await get(device)).status).toBe(401);
    } finally {
      loads.mockRestore();
    }
  });
});
