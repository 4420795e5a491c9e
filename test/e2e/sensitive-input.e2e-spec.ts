import { randomInt } from 'node:crypto';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, freshIp, newShop, shardOf, signupDocument } from '../support/fixtures';

// Bad stored data and bad input around sensitive attributes: stored ciphertexts that
// do not decrypt are named by record and counted, never shown; input that could not
// be stored faithfully is refused before anything is written.

const phone = () => `+7 916 ${randomInt(1_000_000, 9_999_999)}`;

/** Flips one character in the middle of the ciphertext's body. */
function tamper(ciphertext: string): string {
  const at = ciphertext.lastIndexOf(':') + 10;
  return `${ciphertext.slice(0, at)}${ciphertext[at] === 'A' ? 'B' : 'A'}${ciphertext.slice(at + 1)}`;
}

/** `vault:v1:abc` -> `vault:abc`: the key version cut off. */
const trimVersion = (ciphertext: string) => ciphertext.replace(/:v\d+:/, ':');

describe(`bad stored ciphertexts and bad sensitive input (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const supplier = async (s: Shop, contactPhone: string | null = phone()) =>
    (await t.request('POST', '/api/v1/suppliers', { token: s.accessToken, body: { data: { type: 'suppliers', attributes: { name: 'Supplier', contactPhone } } } })).body.data.id as string;
  const shard = async (s: Shop) => t.app.get(ShardRegistry).dataSource(await shardOf(t, s.tenantId));
  const storedPhone = async (s: Shop, id: string) =>
    ((await (await shard(s)).query('SELECT contact_phone_ciphertext AS c FROM suppliers WHERE tenant_id = ? AND id = ?', [s.tenantId, id]))[0]?.c ?? null) as string | null;
  const count = async (s: Shop) => (await t.request('GET', '/api/v1/suppliers', { token: s.accessToken })).body.meta.total as number;
  const invalidCount = async (type = 'suppliers') => {
    const line = (await t.request('GET', '/metrics')).text.split('\n').find((l) => l.startsWith(`bloomdesk_ciphertext_invalid_total{type="${type}"}`));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  it.each([
    ['a tampered ciphertext', tamper],
    ['a ciphertext with its key version trimmed', trimVersion],
  ])('answers %s with a stable error naming the record, logs its id but not the ciphertext, and counts it', async (_what, spoil) => {
    const id = await supplier(shop);
    const spoiled = spoil((await storedPhone(shop, id))!);
    await (await shard(shop)).query('UPDATE suppliers SET contact_phone_ciphertext = ? WHERE tenant_id = ? AND id = ?', [spoiled, shop.tenantId, id]);
    const counted = await invalidCount();
    const logsBefore = t.logs.length;

    for (const url of [`/api/v1/suppliers/${id}`, '/api/v1/suppliers']) {
      const res = await t.request('GET', url, { token: shop.accessToken });
      expect({ url, status: res.status }).toEqual({ url, status: 500 });
      expect(res.body.errors).toEqual([
        { status: '500', code: 'ciphertext-invalid', title: 'Stored data cannot be decrypted', detail: `The stored contactPhone of suppliers ${id} cannot be decrypted.` },
      ]);
    }
    const logged = t.logs.slice(logsBefore).join('\n');
    expect(logged).toContain(id);
    expect(logged).not.toContain(spoiled.slice(-30));
    expect(await invalidCount()).toBe(counted + 2);
    await (await shard(shop)).query('DELETE FROM suppliers WHERE tenant_id = ? AND id = ?', [shop.tenantId, id]);
  });

  it.each([
    ['tampered', tamper],
    ['trimmed of its key version', trimVersion],
  ])('answers the repeat of an Idempotency-Key whose stored answer was %s with a stable error naming the key, logs the key but not the ciphertext, and counts it', async (_what, spoil) => {
    const key = `spoiled-${randomInt(1e9)}`;
    const body = { data: { type: 'suppliers', attributes: { name: 'Kept', contactPhone: phone() } } };
    const post = () => t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, headers: { 'idempotency-key': key }, body });
    expect((await post()).status).toBe(201);
    const where = [shop.tenantId, key];
    const [{ stored }] = await (await shard(shop)).query('SELECT body_ciphertext AS stored FROM idempotency_records WHERE tenant_id = ? AND idempotency_key = ?', where);
    const spoiled = spoil(stored as string);
    await (await shard(shop)).query('UPDATE idempotency_records SET body_ciphertext = ? WHERE tenant_id = ? AND idempotency_key = ?', [spoiled, ...where]);
    const counted = await invalidCount('idempotency-records');
    const logsBefore = t.logs.length;

    const res = await post();
    expect(res.status).toBe(500);
    expect(res.body.errors).toEqual([
      { status: '500', code: 'ciphertext-invalid', title: 'Stored data cannot be decrypted', detail: `The stored response of idempotency-records ${key} cannot be decrypted.` },
    ]);
    const logged = t.logs.slice(logsBefore).join('\n');
    expect(logged).toContain(key);
    expect(logged).not.toContain(spoiled.slice(-30));
    expect(await invalidCount('idempotency-records')).toBe(counted + 1);
  });

  it.each([
    ['an oversized phone', { name: 'Long', contactPhone: `+7 ${'9'.repeat(40)}` }, 422, '/data/attributes/contactPhone'],
    ['a phone that is not one', { name: 'Letters', contactPhone: 'call me maybe' }, 422, '/data/attributes/contactPhone'],
  ])('refuses %s with 4xx and writes nothing', async (_what, attributes, status, pointer) => {
    const before = await count(shop);
    const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, body: { data: { type: 'suppliers', attributes } } });
    expect(res.status).toBe(status);
    expect(res.body.errors[0].source.pointer).toBe(pointer);
    expect(await count(shop)).toBe(before);
  });

  it('refuses an oversized owner name at signup and creates no shop and no user', async () => {
    const users = async () => Number((await t.app.get(CatalogDatabase).dataSource.query('SELECT COUNT(*) AS n FROM users'))[0].n);
    const before = await users();
    const res = await t.request('POST', '/api/v1/signup', { body: signupDocument({ ownerName: 'A'.repeat(121) }), ip: freshIp() });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].source.pointer).toBe('/data/attributes/ownerName');
    expect(await users()).toBe(before);
  });

  it.each([
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"data":{"type":"suppliers","attributes":{"name":"Supplier","contactPhone":"+7 916 '), Buffer.from([0xc3, 0x28]), Buffer.from('"}}}')]), 'The request body is not valid UTF-8.'],
    ['an unpaired surrogate escape', Buffer.from('{"data":{"type":"suppliers","attributes":{"name":"Supplier \\ud800","contactPhone":"+7 916 1234567"}}}'), 'The request body holds an unpaired surrogate (\\uD800-\\uDFFF): text must be valid Unicode.'],
  ])('refuses %s with 400 and writes nothing', async (_what, payload, detail) => {
    const before = await count(shop);
    const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, payload });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'malformed-json', detail, source: { pointer: '' } })]);
    expect(await count(shop)).toBe(before);
  });

  it('keeps a properly paired surrogate (an emoji) as it was written', async () => {
    const res = await t.request('POST', '/api/v1/suppliers', { token: shop.accessToken, payload: '{"data":{"type":"suppliers","attributes":{"name":"Roses \\ud83c\\udf39","contactPhone":null}}}' });
    expect(res.status).toBe(201);
    expect(res.body.data.attributes.name).toBe('Roses 🌹');
  });

  it("gives another tenant's context nothing: its records are 404, a tenant attribute is refused, and nothing is written", async () => {
    const other = await newShop(t);
    const theirs = await supplier(other);
    const stored = await storedPhone(other, theirs);
    const patch = { data: { type: 'suppliers', id: theirs, attributes: { contactPhone: phone() } } };
    expect((await t.request('PATCH', `/api/v1/suppliers/${theirs}`, { token: shop.accessToken, body: patch })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/suppliers/${theirs}`, { token: shop.accessToken })).status).toBe(404);
    const withTenant = await t.request('POST', '/api/v1/suppliers', {
      token: shop.accessToken,
      body: { data: { type: 'suppliers', attributes: { name: 'Planted', contactPhone: phone(), tenantId: other.tenantId } } },
    });
    expect(withTenant.status).toBe(400);
    expect(withTenant.body.errors[0]).toMatchObject({ code: 'unknown-attribute', source: { pointer: '/data/attributes/tenantId' } });
    expect(await storedPhone(other, theirs)).toBe(stored);
    expect(await count(other)).toBe(1);
  });
});
