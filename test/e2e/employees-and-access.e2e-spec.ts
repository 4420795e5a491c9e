import { uuid7 } from '../../src/infra/database/uuid7';
import { SessionService } from '../../src/modules/tenants/session.service';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower } from '../support/catalog-fixtures';
import { type Shop, acceptInvite, freshIp, loginDocument, newEmployee, newShop, storeDocument, uniqueEmail } from '../support/fixtures';

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
  const patchEmployee = (token: string, id: string, attributes: Record<string, unknown>, relationships?: Record<string, unknown>) =>
    as(token).patch(`/api/v1/employees/${id}`, { data: { type: 'employees', id, attributes, ...(relationships && { relationships }) } });
  const login = (email: string, password: string) => t.request('POST', '/api/v1/sessions', { body: loginDocument(email, password), ip: freshIp() });
  const refresh = (refreshToken: string) => t.request('POST', '/api/v1/sessions', { body: { data: { type: 'sessions', attributes: { refreshToken } } }, ip: freshIp() });
  const storesOf = async (id: string) => (await as(shop.accessToken).get(`/api/v1/employees/${id}/relationships/stores`)).body.data.map((s: any) => s.id).sort();

  describe('employees', () => {
    it('invites an employee: the invite token comes back once, and only they set their password with it, once', async () => {
      const res = await as(shop.accessToken).post('/api/v1/employees', {
        data: {
          type: 'employees',
          attributes: { name: 'Olga Florist', email: 'Olga.Florist+1@Example.com', phone: '8 (916) 555-12-34', role: 'florist' },
          relationships: { stores: { data: [{ type: 'stores', id: arbat }] } },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.data.attributes).toMatchObject({ name: 'Olga Florist', email: 'Olga.Florist+1@Example.com', phone: '8 (916) 555-12-34', role: 'florist', active: true });
      const { inviteToken, inviteExpiresAt } = res.body.data.attributes;
      expect(inviteToken).toMatch(/^bdi1\./);
      expect(Date.parse(inviteExpiresAt) - Date.now()).toBeGreaterThan(6.9 * 86400_000);
      expect((await as(shop.accessToken).get(`/api/v1/employees/${res.body.data.id}`)).body.data.attributes).toMatchObject({ inviteToken: null, inviteExpiresAt: null });
      const byPhone = await as(shop.accessToken).get(`/api/v1/employees?filter[phone]=${encodeURIComponent('+7 916 555 1234')}`);
      expect(byPhone.body.data.map((e: any) => e.id)).toEqual([res.body.data.id]);
      const byEmail = await as(shop.accessToken).get(`/api/v1/employees?filter[email]=${encodeURIComponent('olga.florist+1@example.com')}&include=stores`);
      expect(byEmail.body.data.map((e: any) => e.id)).toEqual([res.body.data.id]);
      expect(byEmail.body.included.map((s: any) => s.id)).toEqual([arbat]);

      // No password exists until she sets one; no other password works meanwhile.
      expect((await login('olga.florist+1@example.com', 'anything at all 1')).status).toBe(401);
      const tooShort = await acceptInvite(t, inviteToken, 'short');
      expect(tooShort.status).toBe(422);
      expect(tooShort.body.errors[0].source.pointer).toBe('/data/attributes/password');
      const accepted = await acceptInvite(t, inviteToken, 'olga password 1');
      expect(accepted.status).toBe(201);
      expect(accepted.body.data).toMatchObject({ type: 'invite-acceptances', attributes: { acceptedAt: expect.any(String) } });
      expect((await login('olga.florist+1@example.com', 'olga password 1')).status).toBe(201);
      const again = await acceptInvite(t, inviteToken, 'olga password 2');
      expect(again.status).toBe(401);
      expect(again.body.errors[0]).toMatchObject({ code: 'invalid-token', source: { pointer: '/data/attributes/token' } });
      expect((await login('olga.florist+1@example.com', 'olga password 2')).status).toBe(401);
      for (const forged of [`${inviteToken.slice(0, -4)}AAAA`, 'bdi1.not-a-token']) expect((await acceptInvite(t, forged, 'olga password 3')).status).toBe(401);
    });

    it('an invite acceptance takes no query, no client-generated id and no Idempotency-Key; a refused one leaves the invite unspent', async () => {
      const email = uniqueEmail('refused');
      const { inviteToken } = (await as(shop.accessToken).post('/api/v1/employees', { data: { type: 'employees', attributes: { name: 'Refused', email, role: 'florist' } } })).body.data.attributes;
      const attributes = { token: inviteToken, password: 'a refused password' };
      const accept = (url: string, data: Record<string, unknown>, headers?: Record<string, string>) =>
        t.request('POST', url, { body: { data: { type: 'invite-acceptances', ...data } }, ip: freshIp(), headers });
      const refused = [
        await accept('/api/v1/invite-acceptances?include=x&sort=y', { attributes }),
        await accept('/api/v1/invite-acceptances', { id: uuid7(), attributes }),
        await accept('/api/v1/invite-acceptances', { attributes }, { 'idempotency-key': `invite-${inviteToken.slice(-8)}` }),
      ];
      expect(refused.map((r) => ({ status: r.status, code: r.body.errors[0].code, source: r.body.errors[0].source }))).toEqual([
        { status: 400, code: 'invalid-query-parameter', source: { parameter: 'include' } },
        { status: 403, code: 'client-id-not-supported', source: { pointer: '/data/id' } },
        { status: 400, code: 'idempotency-key-not-supported', source: { header: 'Idempotency-Key' } },
      ]);
      expect((await login(email, 'a refused password')).status).toBe(401);
      expect((await accept('/api/v1/invite-acceptances', { attributes: { ...attributes, password: 'the accepted password' } })).status).toBe(201);
      expect((await login(email, 'the accepted password')).status).toBe(201);
    });

    it('lets nobody set another person’s password: neither when inviting nor by PATCH', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      const manager = await newEmployee(t, shop.accessToken, 'manager', [arbat]);
      const withPassword = await as(manager.accessToken).post('/api/v1/employees', {
        data: { type: 'employees', attributes: { name: 'Puppet', email: uniqueEmail('puppet'), role: 'florist', password: 'chosen by the manager' } },
      });
      expect(withPassword.status).toBe(400);
      expect(withPassword.body.errors[0]).toMatchObject({ code: 'unknown-attribute', source: { pointer: '/data/attributes/password' } });
      const patch = await patchEmployee(manager.accessToken, florist.id, { password: 'chosen by the manager' });
      expect(patch.status).toBe(400);
      expect((await login(florist.email, 'chosen by the manager')).status).toBe(401);
      expect((await login(florist.email, florist.password)).status).toBe(201);
      expect((await as(florist.accessToken).get('/api/v1/stores')).status).toBe(200);
    });

    it('a password reset ends the old password and every session at once, and issues a new invite', async () => {
      const manager = await newEmployee(t, shop.accessToken, 'manager', [arbat]);
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      expect((await as(florist.accessToken).get('/api/v1/stores')).status).toBe(200);
      const reset = await patchEmployee(manager.accessToken, florist.id, { resetPassword: true });
      expect(reset.status).toBe(200);
      expect(reset.body.data.attributes.inviteToken).toMatch(/^bdi1\./);
      expect((await as(florist.accessToken).get('/api/v1/stores')).status).toBe(401);
      expect((await refresh(florist.refreshToken)).status).toBe(401);
      expect((await login(florist.email, florist.password)).status).toBe(401);
      expect((await patchEmployee(manager.accessToken, florist.id, { resetPassword: false })).status).toBe(422);

      expect((await acceptInvite(t, reset.body.data.attributes.inviteToken, 'a brand new password')).status).toBe(201);
      const back = await login(florist.email, 'a brand new password');
      expect(back.status).toBe(201);
      expect((await as(back.body.data.attributes.accessToken).get('/api/v1/stores')).status).toBe(200);
      // Only the latest invite works: a second reset spends the first.
      const first = (await patchEmployee(shop.accessToken, florist.id, { resetPassword: true })).body.data.attributes.inviteToken;
      const second = (await patchEmployee(shop.accessToken, florist.id, { resetPassword: true })).body.data.attributes.inviteToken;
      expect((await acceptInvite(t, first, 'the first reset password')).status).toBe(401);
      expect((await acceptInvite(t, second, 'the second reset password')).status).toBe(201);
    });

    it('refuses a phone it cannot read, and an e-mail someone already logs in with', async () => {
      const bad = await as(shop.accessToken).post('/api/v1/employees', {
        data: { type: 'employees', attributes: { name: 'X', email: 'x-phone@example.com', phone: '12345', role: 'florist' } },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].source.pointer).toBe('/data/attributes/phone');
      const taken = await as(shop.accessToken).post('/api/v1/employees', {
        data: { type: 'employees', attributes: { name: 'Copy', email: shop.email, role: 'florist' } },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.errors[0]).toMatchObject({ code: 'email-taken', source: { pointer: '/data/attributes/email' } });
    });

    it('deactivating an employee stops their tokens and their refresh at once; reactivating lets them log in again', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      expect((await as(florist.accessToken).get('/api/v1/stores')).status).toBe(200);
      expect((await patchEmployee(shop.accessToken, florist.id, { active: false })).status).toBe(200);
      const after = await as(florist.accessToken).get('/api/v1/stores');
      expect(after.status).toBe(401);
      const refreshed = await refresh(florist.refreshToken);
      expect(refreshed.status).toBe(401);
      expect(refreshed.body.errors[0].code).toBe('invalid-refresh-token');
      expect((await login(florist.email, florist.password)).status).toBe(401);
      // An invite cannot bring a deactivated employee back either.
      const invite = (await patchEmployee(shop.accessToken, florist.id, { resetPassword: true })).body.data.attributes.inviteToken;
      expect((await acceptInvite(t, invite, 'while deactivated')).status).toBe(401);
      expect((await patchEmployee(shop.accessToken, florist.id, { active: true })).status).toBe(200);
      expect((await acceptInvite(t, invite, 'after reactivation')).status).toBe(201);
      expect((await login(florist.email, 'after reactivation')).status).toBe(201);
    });

    it('a role change applies to tokens already issued, on their next request', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      expect((await as(florist.accessToken).get('/api/v1/device-tokens')).status).toBe(403);
      expect((await patchEmployee(shop.accessToken, florist.id, { role: 'manager' })).status).toBe(200);
      expect((await as(florist.accessToken).get('/api/v1/device-tokens')).status).toBe(200);
      expect((await patchEmployee(shop.accessToken, florist.id, { role: 'courier' })).status).toBe(200);
      expect((await as(florist.accessToken).get('/api/v1/device-tokens')).status).toBe(403);
      expect((await as(florist.accessToken).get('/api/v1/products')).status).toBe(403);
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
      expect((await patchEmployee(manager.accessToken, owner, { resetPassword: true })).status).toBe(404);
    });

    it("keeps an employee's stores outside a manager's when the manager replaces their stores", async () => {
      const third = (await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name: 'Third' }) })).body.data.id;
      const manager = await newEmployee(t, shop.accessToken, 'manager', [arbat, third]);
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat, kiosk]);
      const linkage = (ids: string[]) => ({ data: ids.map((id) => ({ type: 'stores', id })) });

      expect((await as(manager.accessToken).patch(`/api/v1/employees/${florist.id}/relationships/stores`, linkage([third]))).status).toBe(204);
      expect(await storesOf(florist.id)).toEqual([kiosk, third].sort());
      expect((await patchEmployee(manager.accessToken, florist.id, {}, { stores: linkage([arbat]) })).status).toBe(200);
      expect(await storesOf(florist.id)).toEqual([arbat, kiosk].sort());
      expect((await as(manager.accessToken).patch(`/api/v1/employees/${florist.id}/relationships/stores`, linkage([]))).status).toBe(204);
      expect(await storesOf(florist.id)).toEqual([kiosk]);
      // The owner sees every store, so the owner's replacement is the whole list.
      expect((await as(shop.accessToken).patch(`/api/v1/employees/${florist.id}/relationships/stores`, linkage([third]))).status).toBe(204);
      expect(await storesOf(florist.id)).toEqual([third]);
    });
  });

  describe('roles and store scope', () => {
    it('shows a florist only the stores they work in, and another store is as missing as a made-up one', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [kiosk]);
      const stores = await as(florist.accessToken).get('/api/v1/stores');
      expect(stores.body.data.map((s: any) => s.id)).toEqual([kiosk]);
      expect((await as(florist.accessToken).get(`/api/v1/stores/${arbat}`)).status).toBe(404);
    });

    it('shows a florist and a POS terminal the roster: the people of their stores and the owners, by name and role, never their contacts', async () => {
      const owner = (await as(shop.accessToken).get('/api/v1/employees?filter[role]=owner')).body.data[0].id as string;
      const florist = await newEmployee(t, shop.accessToken, 'florist', [kiosk], { phone: '+7 916 555 01 01' });
      const colleague = await newEmployee(t, shop.accessToken, 'courier', [kiosk]);
      const elsewhere = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      const leaver = await newEmployee(t, shop.accessToken, 'florist', [kiosk]);
      expect((await patchEmployee(shop.accessToken, leaver.id, { active: false })).status).toBe(200);
      // A deactivated colleague stays on it (marked), so the sales they made still show who made them.
      const device = (
        await as(shop.accessToken).post('/api/v1/device-tokens', {
          data: { type: 'device-tokens', attributes: { name: 'Kiosk till' }, relationships: { store: { data: { type: 'stores', id: kiosk } } } },
        })
      ).body.data.attributes.token as string;

      for (const token of [florist.accessToken, device]) {
        const roster = await as(token).get('/api/v1/employees?page[size]=200');
        expect(roster.status).toBe(200);
        const ids = roster.body.data.map((e: any) => e.id);
        expect(ids).toEqual(expect.arrayContaining([owner, florist.id, colleague.id, leaver.id]));
        expect(ids).not.toContain(elsewhere.id);
        expect(roster.body.data.find((e: any) => e.id === leaver.id).attributes.active).toBe(false);
        for (const employee of roster.body.data) expect(Object.keys(employee.attributes).sort()).toEqual(['active', 'createdAt', 'name', 'role', 'updatedAt']);
        expect(roster.body.data.find((e: any) => e.id === florist.id).attributes).toMatchObject({ name: 'florist person', role: 'florist' });
        expect(roster.text).not.toContain(florist.email);

        // What the roster does not show cannot be searched for either.
        const byPhone = await as(token).get('/api/v1/employees?filter[phone]=%2B79165550101');
        expect(byPhone.status).toBe(400);
        expect(byPhone.body.errors[0].source).toEqual({ parameter: 'filter[phone]' });
        expect((await as(token).get(`/api/v1/employees?filter[email]=${encodeURIComponent(florist.email)}`)).status).toBe(400);
        expect((await as(token).get(`/api/v1/employees/${elsewhere.id}`)).status).toBe(404);
        expect((await patchEmployee(token, colleague.id, { name: 'Renamed' })).status).toBe(403);
      }
      // The owner and a manager still see the contacts, and filter by them.
      const found = await as(shop.accessToken).get('/api/v1/employees?filter[phone]=%2B79165550101');
      expect(found.body.data.map((e: any) => [e.id, e.attributes.email, e.attributes.phone])).toEqual([[florist.id, florist.email, '+7 916 555 01 01']]);
    });

    it('enforces the permission matrix on every role', async () => {
      const florist = await newEmployee(t, shop.accessToken, 'florist', [arbat]);
      const courier = await newEmployee(t, shop.accessToken, 'courier', [arbat]);
      const product = flower('Matrix rose');
      expect((await as(florist.accessToken).post('/api/v1/products', { data: { type: 'products', attributes: product } })).status).toBe(403);
      expect((await as(courier.accessToken).get('/api/v1/employees')).status).toBe(403);
      expect((await as(florist.accessToken).get('/api/v1/audit-events')).status).toBe(403);
      expect((await as(courier.accessToken).get('/api/v1/suppliers')).status).toBe(403);
      expect((await as(florist.accessToken).get('/api/v1/suppliers')).status).toBe(200);
      expect((await as(courier.accessToken).post('/api/v1/stores', storeDocument({ name: 'Courier store' }))).status).toBe(403);
      // A courier delivers: no catalogue with its prices, no stock.
      expect((await as(courier.accessToken).get('/api/v1/products')).status).toBe(403);
      expect((await as(courier.accessToken).get('/api/v1/stores')).body.data.map((s: any) => s.id)).toEqual([arbat]);
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
      expect((await device.get('/api/v1/employees?filter[role]=owner')).body.data.map((e: any) => e.attributes)).toEqual([
        { name: expect.any(String), role: 'owner', active: true, createdAt: expect.any(String), updatedAt: expect.any(String) },
      ]);
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
      await t.app.get(SessionService).auditWritten(); // the failed login's event is written after its answer

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

    it('records invites accepted and passwords reset; a manager may not read the log', async () => {
      const own = await newShop(t);
      const manager = await newEmployee(t, own.accessToken, 'manager');
      const florist = await newEmployee(t, own.accessToken, 'florist');
      await patchEmployee(own.accessToken, florist.id, { resetPassword: true });
      const denied = await as(manager.accessToken).get('/api/v1/audit-events');
      expect(denied.status).toBe(403);
      expect(denied.body.errors[0].code).toBe('forbidden');
      const events = (await as(own.accessToken).get('/api/v1/audit-events?page[size]=100')).body.data;
      const about = (action: string) => events.filter((e: any) => e.attributes.action === action).map((e: any) => e.attributes.target);
      expect(about('employee.invite-accepted')).toEqual(expect.arrayContaining([`employees/${manager.id}`, `employees/${florist.id}`]));
      expect(about('employee.password-reset')).toEqual([`employees/${florist.id}`]);
    });
  });
});
