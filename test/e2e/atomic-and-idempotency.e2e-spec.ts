import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { uuid7 } from '../../src/infra/database/uuid7';
import { MAX_OPERATIONS } from '../../src/infra/json-api/atomic-operations';
import { Feature } from '../../src/infra/tenancy/features';
import { IntegrationSecretService } from '../../src/modules/secrets';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../src/modules/secrets/encryption.provider';
import { FeatureFlags } from '../../src/modules/tenants/feature-flags';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, flower, many, one } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { VAULT_ADDR, VAULT_DEV_ROOT_TOKEN } from '../support/services-env';

const ATOMIC = 'https://jsonapi.org/ext/atomic';
const ATOMIC_TYPE = `application/vnd.api+json; ext="${ATOMIC}"`;

describe(`atomic operations and idempotent writes (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const operations = (ops: unknown[], headers: Record<string, string> = {}, token = shop.accessToken) =>
    t.request('POST', '/api/v1/operations', { token, body: { 'atomic:operations': ops }, headers: { 'content-type': ATOMIC_TYPE, accept: ATOMIC_TYPE, ...headers } });
  const count = async (type: string, token = shop.accessToken) => (await t.request('GET', `/api/v1/${type}`, { token })).body.meta.total as number;

  describe('POST /api/v1/operations', () => {
    it('runs adds with lid references in order and answers the results in order', async () => {
      const res = await operations([
        { op: 'add', data: { type: 'suppliers', lid: 's1', attributes: { name: 'Dutch auction' } } },
        { op: 'add', data: { type: 'products', lid: 'bouquet', attributes: { name: 'Atomic bouquet', kind: 'composition', unit: 'piece', price: 500000 } } },
        { op: 'add', data: { type: 'products', lid: 'rose', attributes: flower('Atomic rose'), relationships: { suppliers: { data: [{ type: 'suppliers', lid: 's1' }] } } } },
        {
          op: 'add',
          data: {
            type: 'recipe-items',
            attributes: { quantity: '7' },
            relationships: { composition: { data: { type: 'products', lid: 'bouquet' } }, component: { data: { type: 'products', lid: 'rose' } } },
          },
        },
      ]);

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(ATOMIC_TYPE);
      const results = res.body['atomic:results'];
      expect(results.map((r: any) => r.data.type)).toEqual(['suppliers', 'products', 'products', 'recipe-items']);
      const [supplier, bouquet, rose, item] = results.map((r: any) => r.data);
      expect(rose.relationships.suppliers).toBeDefined();
      expect(item.relationships.composition.data).toEqual({ type: 'products', id: bouquet.id });
      expect(item.relationships.component.data).toEqual({ type: 'products', id: rose.id });
      const suppliers = await t.request('GET', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken });
      expect(suppliers.body.data).toEqual([{ type: 'suppliers', id: supplier.id }]);
    });

    it('writes nothing when a later operation fails, and points into the failing operation', async () => {
      const before = { products: await count('products'), suppliers: await count('suppliers') };
      const res = await operations([
        { op: 'add', data: { type: 'suppliers', attributes: { name: 'Rolled back' } } },
        { op: 'add', data: { type: 'products', lid: 'b', attributes: { name: 'Doomed', kind: 'composition', unit: 'piece', price: 1 } } },
        { op: 'add', data: { type: 'recipe-items', attributes: { quantity: 'lots' }, relationships: { composition: { data: { type: 'products', lid: 'b' } }, component: { data: { type: 'products', lid: 'b' } } } } },
      ]);
      expect(res.status).toBe(422);
      expect(res.body.errors[0].source.pointer).toBe('/atomic:operations/2/data/attributes/quantity');
      expect({ products: await count('products'), suppliers: await count('suppliers') }).toEqual(before);
    });

    it('updates and removes by ref and by href, and changes relationships', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Op rose'));
      const lily = await create(t, shop.accessToken, 'products', flower('Op lily'));
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Op supplier' });
      const res = await operations([
        { op: 'update', ref: { type: 'products', id: rose.id }, data: { type: 'products', id: rose.id, attributes: { price: 999 } } },
        { op: 'add', ref: { type: 'products', id: rose.id, relationship: 'suppliers' }, data: [{ type: 'suppliers', id: supplier.id }] },
        { op: 'update', href: `/api/v1/products/${lily.id}`, data: { type: 'products', id: lily.id, attributes: { archived: true } } },
        { op: 'remove', href: `/api/v1/products/${lily.id}` },
      ]);
      expect(res.status).toBe(200);
      expect(res.body['atomic:results']).toEqual([{ data: expect.objectContaining({ id: rose.id }) }, {}, { data: expect.objectContaining({ id: lily.id }) }, {}]);
      expect(res.body['atomic:results'][0].data.attributes.price).toBe(999);
      expect((await t.request('GET', `/api/v1/products/${lily.id}`, { token: shop.accessToken })).status).toBe(404);
      expect((await t.request('GET', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken })).body.data).toEqual([
        { type: 'suppliers', id: supplier.id },
      ]);
    });

    it('updates, relates and removes by lid resources made earlier in the same batch', async () => {
      const res = await operations([
        { op: 'add', data: { type: 'stores', lid: 's', attributes: { name: 'Lid store' } } },
        { op: 'update', ref: { type: 'stores', lid: 's' }, data: { type: 'stores', lid: 's', attributes: { name: 'Lid store, renamed' } } },
        { op: 'add', data: { type: 'products', lid: 'r', attributes: flower('Lid rose') } },
        { op: 'add', data: { type: 'suppliers', lid: 'keep', attributes: { name: 'Lid supplier kept' } } },
        { op: 'add', data: { type: 'suppliers', lid: 'gone', attributes: { name: 'Lid supplier removed' } } },
        { op: 'update', ref: { type: 'products', lid: 'r', relationship: 'suppliers' }, data: [{ type: 'suppliers', lid: 'keep' }, { type: 'suppliers', lid: 'gone' }] },
        { op: 'remove', ref: { type: 'products', lid: 'r', relationship: 'suppliers' }, data: [{ type: 'suppliers', lid: 'gone' }] },
        { op: 'remove', ref: { type: 'suppliers', lid: 'gone' } },
      ]);
      expect(res.status).toBe(200);
      const results = res.body['atomic:results'];
      const [store, renamed, rose, kept, gone] = results.map((r: any) => r.data);
      expect(results.map((r: any) => (r.data ? `${r.data.type}:${r.data.attributes.name}` : '-'))).toEqual([
        'stores:Lid store',
        'stores:Lid store, renamed',
        'products:Lid rose',
        'suppliers:Lid supplier kept',
        'suppliers:Lid supplier removed',
        '-',
        '-',
        '-',
      ]);
      expect(renamed.id).toBe(store.id);
      const read = (url: string) => t.request('GET', url, { token: shop.accessToken });
      expect((await read(`/api/v1/stores/${store.id}`)).body.data.attributes.name).toBe('Lid store, renamed');
      expect((await read(`/api/v1/products/${rose.id}/relationships/suppliers`)).body.data).toEqual([{ type: 'suppliers', id: kept.id }]);
      expect((await read(`/api/v1/suppliers/${gone.id}`)).status).toBe(404);
    });

    describe('an absolute href', () => {
      const host = 'shop.example:8443';
      const priceOf = async (id: string) => (await t.request('GET', `/api/v1/products/${id}`, { token: shop.accessToken })).body.data.attributes.price as number;

      it.each([`https://${host}`, `http://SHOP.example:8443`])('of this server (%s, the Host the request came to) is followed', async (origin) => {
        const rose = await create(t, shop.accessToken, 'products', flower('Absolute rose'));
        const res = await operations([{ op: 'update', href: `${origin}/api/v1/products/${rose.id}`, data: { type: 'products', id: rose.id, attributes: { price: 4321 } } }], { host });
        expect(res.status).toBe(200);
        expect(await priceOf(rose.id)).toBe(4321);
      });

      it.each([
        ['another host', (id: string) => `https://elsewhere.example/api/v1/products/${id}`],
        ['another port', (id: string) => `https://shop.example:9443/api/v1/products/${id}`],
        ['credentials', (id: string) => `https://user:pw@${host}/api/v1/products/${id}`],
        ['a path outside the API', (id: string) => `https://${host}/products/${id}`],
        ['another scheme', (id: string) => `ftp://${host}/api/v1/products/${id}`],
      ])('with %s is 400 pointing at the href, and changes nothing', async (_label, href) => {
        const rose = await create(t, shop.accessToken, 'products', flower('Foreign href rose'));
        const res = await operations([{ op: 'update', href: href(rose.id), data: { type: 'products', id: rose.id, attributes: { price: 1 } } }], { host });
        expect({ status: res.status, code: res.body.errors[0].code, pointer: res.body.errors[0].source.pointer }).toEqual({ status: 400, code: 'invalid-document', pointer: '/atomic:operations/0/href' });
        expect(await priceOf(rose.id)).toBe(15000);
      });
    });

    it.each([
      [{ op: 'upsert', data: { type: 'suppliers', attributes: { name: 'x' } } }, '/atomic:operations/0/op', 400, 'invalid-document'],
      [{ op: 'add', data: { type: 'rocks', attributes: {} } }, '/atomic:operations/0/data/type', 400, 'invalid-document'],
      [{ op: 'update', ref: { type: 'products', lid: 'never-made' }, data: { type: 'products', lid: 'never-made', attributes: {} } }, '/atomic:operations/0/ref/lid', 400, 'invalid-document'],
      [{ op: 'remove', href: '/api/v1/nowhere/123' }, '/atomic:operations/0/href', 400, 'invalid-document'],
      [{ op: 'add', data: { type: 'suppliers', attributes: { name: '' } } }, '/atomic:operations/0/data/attributes/name', 422, 'validation-failed'],
    ])('refuses the bad operation %p pointing at %s (%d %s), writing nothing', async (op, pointer, status, code) => {
      const before = await count('suppliers');
      const res = await operations([op]);
      expect({ status: res.status, code: res.body.errors[0].code, pointer: res.body.errors[0].source.pointer }).toEqual({ status, code, pointer });
      expect(await count('suppliers')).toBe(before);
    });

    it.each([
      ['data.id an object', () => ({ op: 'update', data: { type: 'products', id: {}, attributes: { price: 1 } } }), '/data/id'],
      ['data.id an object with members', () => ({ op: 'update', data: { type: 'products', id: { a: 1 }, attributes: { price: 1 } } }), '/data/id'],
      ['data.id a number', () => ({ op: 'update', data: { type: 'products', id: 5, attributes: { price: 1 } } }), '/data/id'],
      ['data.id true', () => ({ op: 'update', data: { type: 'products', id: true, attributes: { price: 1 } } }), '/data/id'],
      ['data.id null', () => ({ op: 'update', data: { type: 'products', id: null, attributes: { price: 1 } } }), '/data/id'],
      ['data.id the id in an array', (id: string) => ({ op: 'update', data: { type: 'products', id: [id], attributes: { price: 1 } } }), '/data/id'],
      ['data.lid a number', () => ({ op: 'update', data: { type: 'products', lid: 5, attributes: { price: 1 } } }), '/data/lid'],
      ['ref.id an object', (id: string) => ({ op: 'update', ref: { type: 'products', id: {} }, data: { type: 'products', id, attributes: { price: 1 } } }), '/ref/id'],
      ['ref.id a number', (id: string) => ({ op: 'update', ref: { type: 'products', id: 5 }, data: { type: 'products', id, attributes: { price: 1 } } }), '/ref/id'],
      ['ref.lid a number', (id: string) => ({ op: 'update', ref: { type: 'products', lid: 5 }, data: { type: 'products', id, attributes: { price: 1 } } }), '/ref/lid'],
      ['a remove with ref.id the id in an array', (id: string) => ({ op: 'remove', ref: { type: 'products', id: [id] } }), '/ref/id'],
      ['a relationship change with ref.id null', () => ({ op: 'update', ref: { type: 'products', id: null, relationship: 'suppliers' }, data: [] }), '/ref/id'],
    ])('refuses an operation with %s with 400 pointing at it, writing nothing', async (_label, operation, member) => {
      const rose = await create(t, shop.accessToken, 'products', flower('Odd target rose'));
      const before = await count('suppliers');
      const res = await operations([{ op: 'add', data: { type: 'suppliers', attributes: { name: 'Before the odd one' } } }, operation(rose.id)]);
      expect({ status: res.status, code: res.body.errors[0].code, pointer: res.body.errors[0].source.pointer }).toEqual({ status: 400, code: 'invalid-document', pointer: `/atomic:operations/1${member}` });
      expect(await count('suppliers')).toBe(before);
      expect((await t.request('GET', `/api/v1/products/${rose.id}`, { token: shop.accessToken })).body.data.attributes.price).toBe(15000);
    });

    it('takes an upper-case id in data, ref and href as the same resource', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Upper-case rose'));
      const upper = rose.id.toUpperCase();
      const res = await operations([
        { op: 'update', data: { type: 'products', id: upper, attributes: { price: 101 } } },
        { op: 'update', ref: { type: 'products', id: upper }, data: { type: 'products', id: rose.id, attributes: { price: 102 } } },
        { op: 'update', href: `/api/v1/products/${upper}`, data: { type: 'products', id: upper, attributes: { price: 103 } } },
      ]);
      expect(res.status).toBe(200);
      expect(res.body['atomic:results'].map((r: any) => [r.data.id, r.data.attributes.price])).toEqual([[rose.id, 101], [rose.id, 102], [rose.id, 103]]);
      expect((await t.request('GET', `/api/v1/products/${rose.id}`, { token: shop.accessToken })).body.data.attributes.price).toBe(103);
    });

    it('changes relationships by ref (update replaces, remove takes members out) and by an href aimed at the relationship', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Op relationship rose'));
      const [a, b, c] = [await create(t, shop.accessToken, 'suppliers', { name: 'Op A' }), await create(t, shop.accessToken, 'suppliers', { name: 'Op B' }), await create(t, shop.accessToken, 'suppliers', { name: 'Op C' })];
      const ids = async () => (await t.request('GET', `/api/v1/products/${rose.id}/relationships/suppliers`, { token: shop.accessToken })).body.data.map((r: any) => r.id).sort();
      const ref = { type: 'products', id: rose.id, relationship: 'suppliers' };
      const replaced = await operations([{ op: 'update', ref, data: [{ type: 'suppliers', id: a.id }, { type: 'suppliers', id: b.id }] }]);
      expect(replaced.status).toBe(200);
      expect(replaced.body['atomic:results']).toEqual([{}]);
      expect(await ids()).toEqual([a.id, b.id].sort());
      expect((await operations([{ op: 'remove', ref, data: [{ type: 'suppliers', id: a.id }] }])).status).toBe(200);
      expect(await ids()).toEqual([b.id]);
      const href = `/api/v1/products/${rose.id}/relationships/suppliers`;
      expect((await operations([{ op: 'add', href, data: [{ type: 'suppliers', id: c.id }] }])).status).toBe(200);
      expect(await ids()).toEqual([b.id, c.id].sort());
      expect((await operations([{ op: 'remove', href, data: [{ type: 'suppliers', id: b.id }] }])).status).toBe(200);
      expect(await ids()).toEqual([c.id]);
      const wrong = await operations([{ op: 'add', href: `/api/v1/products/${rose.id}/relationships/nothing`, data: [] }]);
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors[0].source.pointer).toBe('/atomic:operations/0/href');
    });

    it('refuses a lid used twice in one batch, pointing at the second, and writes nothing', async () => {
      const before = await count('suppliers');
      const res = await operations([
        { op: 'add', data: { type: 'suppliers', lid: 'same', attributes: { name: 'First of two' } } },
        { op: 'add', data: { type: 'suppliers', lid: 'same', attributes: { name: 'Second of two' } } },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].source.pointer).toBe('/atomic:operations/1/data/lid');
      expect(await count('suppliers')).toBe(before);
    });

    it('refuses tenants in a batch: the tenant lives in the catalog, outside the shard transaction', async () => {
      const before = (await t.request('GET', '/api/v1/tenants/current', { token: shop.accessToken })).body.data.attributes.name;
      const res = await operations([
        { op: 'update', ref: { type: 'tenants', id: shop.tenantId }, data: { type: 'tenants', id: shop.tenantId, attributes: { name: 'Renamed in a batch' } } },
        { op: 'add', data: { type: 'suppliers', attributes: { name: '' } } },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'invalid-document', source: { pointer: '/atomic:operations/0/ref/type' } });
      expect((await t.request('GET', '/api/v1/tenants/current', { token: shop.accessToken })).body.data.attributes.name).toBe(before);
      const byHref = await operations([{ op: 'update', href: `/api/v1/tenants/${shop.tenantId}`, data: { type: 'tenants', id: shop.tenantId, attributes: { name: 'Renamed by href' } } }]);
      expect(byHref.body.errors[0].source.pointer).toBe('/atomic:operations/0/href');
    });

    it('refuses integration-secrets in a batch: a Vault KV write does not roll back, so the secret stays whole', async () => {
      const secret = await create(t, shop.accessToken, 'integration-secrets', { name: 'Batched terminal', kind: 'payment-terminal', value: 'kept-terminal-key' });
      const res = await operations([
        { op: 'remove', ref: { type: 'integration-secrets', id: secret.id } },
        { op: 'add', data: { type: 'suppliers', attributes: { name: '' } } },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].source.pointer).toBe('/atomic:operations/0/ref/type');
      const added = await operations([{ op: 'add', data: { type: 'integration-secrets', attributes: { name: 'Never', kind: 'other', value: 'never-stored' } } }]);
      expect(added.status).toBe(400);
      expect(added.body.errors[0].source.pointer).toBe('/atomic:operations/0/data/type');
      expect((await t.request('GET', `/api/v1/integration-secrets/${secret.id}`, { token: shop.accessToken })).status).toBe(200);
      const reveal = t.app.get(IntegrationSecretService).reveal({ tenantId: shop.tenantId, shardId: await shardOf(t, shop.tenantId) } as never, secret.id);
      await expect(reveal).resolves.toBe('kept-terminal-key');
      if (PROFILE === 'services') {
        const kv = await fetch(`${VAULT_ADDR}/v1/secret/metadata/bloomdesk/tenants/${shop.tenantId}/integrations/${secret.id}`, { headers: { 'x-vault-token': VAULT_DEV_ROOT_TOKEN } });
        expect(kv.status).toBe(200);
      }
    });

    it(`takes at most ${MAX_OPERATIONS} operations, more for a shop with the large-sync-batches feature`, async () => {
      const own = await newShop(t);
      const ops = Array.from({ length: MAX_OPERATIONS + 1 }, (_, i) => ({ op: 'add', data: { type: 'suppliers', attributes: { name: `Bulk ${i}` } } }));
      const refused = await operations(ops, {}, own.accessToken);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].source.pointer).toBe('/atomic:operations');
      expect(await count('suppliers', own.accessToken)).toBe(0);

      await new FeatureFlags(t.app.get(CatalogDatabase).dataSource).set(own.tenantId, Feature.LargeSyncBatches, true);
      const accepted = await operations(ops, {}, own.accessToken);
      expect(accepted.status).toBe(200);
      expect(accepted.body['atomic:results']).toHaveLength(MAX_OPERATIONS + 1);
      expect(await count('suppliers', own.accessToken)).toBe(MAX_OPERATIONS + 1);
    });

    it('encrypts the sensitive values of a whole batch in one call and decrypts its results in one', async () => {
      const provider = t.app.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
      const encrypt = jest.spyOn(provider, 'encrypt');
      const decrypt = jest.spyOn(provider, 'decrypt');
      try {
        const res = await operations(
          Array.from({ length: 10 }, (_, i) => ({ op: 'add', data: { type: 'suppliers', attributes: { name: `Phoned ${i}`, contactPhone: `+7 916 100-00-${String(i).padStart(2, '0')}` } } })),
        );
        expect(res.status).toBe(200);
        expect(res.body['atomic:results'].map((r: any) => r.data.attributes.contactPhone)).toEqual(Array.from({ length: 10 }, (_, i) => `+7 916 100-00-${String(i).padStart(2, '0')}`));
        expect(encrypt).toHaveBeenCalledTimes(1);
        expect(encrypt.mock.calls[0][1]).toHaveLength(10);
        // The results are shown in one call (answered from the provider's memory of what it just sealed).
        expect(decrypt).toHaveBeenCalledTimes(1);
        expect(decrypt.mock.calls[0][1]).toEqual(await encrypt.mock.results[0].value);
      } finally {
        encrypt.mockRestore();
        decrypt.mockRestore();
      }
    });

    it('calls the provider once each way for a single create: it seals the phone, then shows it', async () => {
      const provider = t.app.get<EncryptionProvider>(ENCRYPTION_PROVIDER);
      const encrypt = jest.spyOn(provider, 'encrypt');
      const decrypt = jest.spyOn(provider, 'decrypt');
      try {
        const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', attributes: { name: 'Single phoned', contactPhone: '+7 916 300-00-01' } } } });
        expect(res.status).toBe(201);
        expect(res.body.data.attributes.contactPhone).toBe('+7 916 300-00-01');
        expect(encrypt).toHaveBeenCalledTimes(1);
        expect(decrypt).toHaveBeenCalledTimes(1);
        expect(decrypt.mock.calls[0][1]).toEqual(await encrypt.mock.results[0].value);
      } finally {
        encrypt.mockRestore();
        decrypt.mockRestore();
      }
    });

    it('needs the atomic extension in the media type', async () => {
      const res = await t.request('POST', '/api/v1/operations', {
        token: shop.accessToken,
        body: { 'atomic:operations': [{ op: 'add', data: { type: 'suppliers', attributes: { name: 'x' } } }] },
      });
      expect(res.status).toBe(415);
    });

    it("answers another tenant's ids in an operation exactly as missing ones", async () => {
      const intruder = await newShop(t);
      const victim = await create(t, shop.accessToken, 'products', flower('Not theirs'));
      const res = await operations([{ op: 'update', ref: { type: 'products', id: victim.id }, data: { type: 'products', id: victim.id, attributes: { price: 1 } } }], {}, intruder.accessToken);
      const missing = await operations([{ op: 'remove', ref: { type: 'products', id: uuid7() } }], {}, intruder.accessToken);
      expect(res.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(res.body.errors[0].code).toBe(missing.body.errors[0].code);
      expect((await t.request('GET', `/api/v1/products/${victim.id}`, { token: shop.accessToken })).body.data.attributes.price).toBe(15000);
    });
  });

  describe('Idempotency-Key', () => {
    const post = (key: string, name: string, headers: Record<string, string> = {}) =>
      t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, headers: { 'idempotency-key': key, ...headers }, body: { data: { type: 'suppliers', attributes: { name } } } });

    it('replays the stored response for a repeat and creates nothing more', async () => {
      const key = `sync-${uuid7()}`;
      const before = await count('suppliers');
      const first = await post(key, 'Once');
      const again = await post(key, 'Once');
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(first.headers['idempotency-replayed']).toBeUndefined();
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(await count('suppliers')).toBe(before + 1);
    });

    it('refuses the same key with another body with 409', async () => {
      const key = `sync-${uuid7()}`;
      await post(key, 'First body');
      const res = await post(key, 'Second body');
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'idempotency-key-reused', source: { header: 'Idempotency-Key' } });
    });

    it('runs concurrent repeats once', async () => {
      const key = `sync-${uuid7()}`;
      const before = await count('suppliers');
      const results = await Promise.all(Array.from({ length: 5 }, () => post(key, 'Concurrent')));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(4);
      expect(await count('suppliers')).toBe(before + 1);
    });

    it('keeps keys per tenant', async () => {
      const key = `sync-${uuid7()}`;
      const other = await newShop(t);
      const mine = await post(key, 'Mine');
      const theirs = await t.request('POST', '/api/v1/suppliers', { token: other.accessToken, headers: { 'idempotency-key': key }, body: { data: { type: 'suppliers', attributes: { name: 'Mine' } } } });
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotency-replayed']).toBeUndefined();
      expect(theirs.body.data.id).not.toBe(mine.body.data.id);
    });

    it('does not keep a key when the write fails, so a corrected retry runs', async () => {
      const key = `sync-${uuid7()}`;
      const bad = await post(key, '');
      expect(bad.status).toBe(422);
      expect((await post(key, '')).headers['idempotency-replayed']).toBeUndefined();
    });

    it('protects an atomic batch as one write', async () => {
      const key = `batch-${uuid7()}`;
      const before = await count('suppliers');
      const ops = [{ op: 'add', data: { type: 'suppliers', attributes: { name: 'Batched once' } } }];
      const first = await operations(ops, { 'idempotency-key': key });
      const again = await operations(ops, { 'idempotency-key': key });
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers['content-type']).toBe(ATOMIC_TYPE);
      expect(await count('suppliers')).toBe(before + 1);
    });

    it('refuses a malformed key with 400 naming the header', async () => {
      const res = await post('x'.repeat(256), 'Too long key');
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'idempotency-key-invalid', source: { header: 'Idempotency-Key' } });
    });

    it('replays deletes and relationship changes too', async () => {
      const rose = await create(t, shop.accessToken, 'products', flower('Idempotent delete'));
      const key = `delete-${uuid7()}`;
      const first = await t.request('DELETE', `/api/v1/products/${rose.id}`, { token: shop.accessToken, headers: { 'idempotency-key': key } });
      const again = await t.request('DELETE', `/api/v1/products/${rose.id}`, { token: shop.accessToken, headers: { 'idempotency-key': key } });
      expect([first.status, again.status]).toEqual([204, 204]);
      expect(again.headers['idempotency-replayed']).toBe('true');
      const supplier = await create(t, shop.accessToken, 'suppliers', { name: 'Link once' });
      const lily = await create(t, shop.accessToken, 'products', flower('Linked lily'));
      const link = () => t.request('POST', `/api/v1/products/${lily.id}/relationships/suppliers`, { token: shop.accessToken, headers: { 'idempotency-key': `link-${lily.id}` }, body: many('suppliers', [supplier.id]) });
      expect((await link()).status).toBe(204);
      expect((await link()).headers['idempotency-replayed']).toBe('true');
      void one;
    });
  });
});
