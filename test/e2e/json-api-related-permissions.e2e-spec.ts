import { type Permission, can } from '../../src/infra/auth/permissions';
import { uuid7 } from '../../src/infra/database/uuid7';
import { resourcePath } from '../../src/infra/json-api/resource-definition';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { ROLES, type Role } from '../../src/infra/tenancy/request-context';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower, many } from '../support/catalog-fixtures';
import { type Shop, newEmployee, newShop } from '../support/fixtures';

// Generated from the resource definitions and the permission matrix: the relationship
// and related endpoints, and includes, show the related type's ids and records, so
// each needs the permission that reading that type directly needs.
describe(`related resources need the related type's read permission (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    const store = await create(t, shop.accessToken, 'stores', { name: 'Permission store' });
    tokens.set('owner', shop.accessToken);
    for (const role of ROLES.filter((r) => r !== 'owner')) tokens.set(role, (await newEmployee(t, shop.accessToken, role, [store.id])).accessToken);
  });
  afterAll(async () => {
    await t.close();
  });

  const registry = () => t.app.get(ResourceRegistry);
  const reads = (role: Role, type: string) => can(role, registry().get(type).def.permissions!.read as Permission);

  it('answers the relationship and related endpoints with 403 exactly when the role may not read the related type', async () => {
    const id = uuid7();
    const seen: string[] = [];
    for (const { def } of registry().all()) {
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        for (const role of ROLES) {
          const allowed = reads(role, def.type) && reads(role, rel.type);
          for (const url of [`/api/v1/${resourcePath(def)}/${id}/${name}`, `/api/v1/${resourcePath(def)}/${id}/relationships/${name}`]) {
            const res = await t.request('GET', url, { token: tokens.get(role) });
            // An id that does not exist: 404 when the role may look, 403 before anything is looked up otherwise.
            expect({ role, url, status: res.status }).toEqual({ role, url, status: allowed ? 404 : 403 });
          }
          if (!allowed && reads(role, def.type)) seen.push(`${role} ${def.type}.${name}`);
        }
      }
    }
    // The matrix does hide some related types from some roles; otherwise this test would prove nothing.
    expect(seen).toEqual(expect.arrayContaining(['courier orders.courier', 'courier order-lines.product']));
  });

  it('refuses an include of a related type the role may not read, and serves it to the others', async () => {
    for (const { def } of registry().all()) {
      for (const [name, rel] of Object.entries(def.relationships ?? {})) {
        if (!rel.includable) continue;
        for (const role of ROLES) {
          const url = `/api/v1/${resourcePath(def)}?include=${name}`;
          const res = await t.request('GET', url, { token: tokens.get(role) });
          const expected = !reads(role, def.type) ? 403 : reads(role, rel.type) ? 200 : 400;
          expect({ role, url, status: res.status }).toEqual({ role, url, status: expected });
          if (expected === 400) expect(res.body.errors[0].source).toEqual({ parameter: 'include' });
        }
      }
    }
  });

  it("never shows a courier a product's suppliers, with or without their phones", async () => {
    const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Hidden grower', contactPhone: '+7 916 555-01-02' });
    const rose = await create(t, shop.accessToken, 'products', flower('Courier rose'));
    expect((await t.request('POST', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken, body: many('suppliers', [supplier.id]) })).status).toBe(204);
    const courier = tokens.get('courier')!;
    for (const url of [`/api/v1/products/${rose.id}/suppliers`, `/api/v1/products/${rose.id}/relationships/suppliers`]) {
      const res = await t.request('GET', url, { token: courier });
      expect({ url, status: res.status }).toEqual({ url, status: 403 });
      expect(res.text).not.toContain(supplier.id);
      expect(res.text).not.toContain('555-01-02');
    }
    // The owner still sees them.
    expect((await t.request('GET', `/api/v1/products/${rose.id}/suppliers`, { token: shop.accessToken })).body.data).toEqual([
      expect.objectContaining({ id: supplier.id, attributes: expect.objectContaining({ contactPhone: '+7 916 555-01-02' }) }),
    ]);
  });
});
