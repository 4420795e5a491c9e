import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import pino from 'pino';
import { AccessTokenService } from '../../src/infra/auth/access-token';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { REDACT_PATHS } from '../../src/infra/observability/logging';
import { inviteAcceptanceResource } from '../../src/modules/tenants/invite-acceptance.resource';
import { passwordChangeResource } from '../../src/modules/tenants/password-change.resource';
import { sessionResource } from '../../src/modules/tenants/session.resource';
import { signupResource } from '../../src/modules/tenants/tenant.resource';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, freshIp, newShop, shardOf, signupDocument, uniqueEmail } from '../support/fixtures';

// What reaches the log: the real stream the server writes (the harness collects it),
// fed with requests that carry passwords, tokens and personal data in every place a
// client can put them, and the redaction configuration checked on its own.

const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

/** Every log line that parses as JSON (pino writes one object per line). */
const parsed = (lines: string[]) =>
  lines
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

describe(`logging (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const session = (attributes: Record<string, string>) =>
    t.request('POST', '/api/v1/sessions', { body: { data: { type: 'sessions', attributes } }, ip: freshIp() });

  it('holds no password, token or personal data a request carried, and names request, tenant and user', async () => {
    const before = t.logs.length;
    const secrets: string[] = [shop.password, shop.email, shop.accessToken, shop.refreshToken];

    const login = await session({ email: shop.email, password: shop.password });
    expect(login.status).toBe(201);
    const issued = login.body.data.attributes;
    secrets.push(issued.accessToken, issued.refreshToken);

    const wrongPassword = unique('wrong-password');
    secrets.push(wrongPassword);
    expect((await session({ email: shop.email, password: wrongPassword })).status).toBe(401);

    const cutPassword = unique('hunter2');
    secrets.push(cutPassword);
    const malformed = await t.request('POST', '/api/v1/sessions', {
      payload: `{"data":{"type":"sessions","attributes":{"email":"${shop.email}","password":"${cutPassword}"`,
      ip: freshIp(),
    });
    expect(malformed.status).toBe(400);

    const claims = JSON.parse(Buffer.from(issued.accessToken.split('.')[1], 'base64url').toString());
    const stale = t.app.get(AccessTokenService).sign({ sub: claims.sub, tid: claims.tid, sid: claims.sid }, Date.now() - 3600_000);
    secrets.push(stale.token);
    expect((await t.request('GET', '/api/v1/stores', { token: stale.token })).status).toBe(401);

    const refreshed = await session({ refreshToken: issued.refreshToken });
    expect(refreshed.status).toBe(201);
    secrets.push(refreshed.body.data.attributes.accessToken, refreshed.body.data.attributes.refreshToken);

    const phoneDigits = `7916${randomInt(1_000_000, 9_999_999)}`;
    const piiEmail = uniqueEmail('customer');
    secrets.push(phoneDigits, piiEmail, encodeURIComponent(piiEmail));
    const filtered = await t.request('GET', `/api/v1/stores?filter[phone]=%2B${phoneDigits}&filter[email]=${encodeURIComponent(piiEmail)}&page[size]=5`, {
      token: issued.accessToken,
    });
    expect(filtered.status).toBe(400);
    const storeName = unique('Shop of Anna Petrova');
    secrets.push(storeName, encodeURIComponent(storeName));
    expect((await t.request('GET', `/api/v1/stores?filter[name]=${encodeURIComponent(storeName)}`, { token: issued.accessToken })).status).toBe(200);

    const badEmail = `${unique('typo')}@@example.com`;
    secrets.push(badEmail);
    expect((await t.request('POST', '/api/v1/signup', { body: signupDocument({ email: badEmail }), ip: freshIp() })).status).toBe(422);

    // A server-side error (500, logged as an error): a supplier whose stored phone no longer decrypts.
    const supplierName = unique('Supplier Ivanov');
    const contactPhone = `+7 916 ${randomInt(1_000_000, 9_999_999)}`;
    secrets.push(supplierName, contactPhone, contactPhone.replace(/\s/g, ''));
    const supplier = await t.request('POST', '/api/v1/suppliers', {
      token: issued.accessToken,
      body: { data: { type: 'suppliers', attributes: { name: supplierName, contactPhone } } },
    });
    expect(supplier.status).toBe(201);
    const shard = await t.app.get(ShardRegistry).dataSource(await shardOf(t, shop.tenantId));
    const where = [shop.tenantId, supplier.body.data.id];
    const [{ stored }] = await shard.query('SELECT contact_phone_ciphertext AS stored FROM suppliers WHERE tenant_id = ? AND id = ?', where);
    await shard.query('UPDATE suppliers SET contact_phone_ciphertext = ? WHERE tenant_id = ? AND id = ?', [stored.replace(/:v\d+:/, ':'), ...where]);
    const failed = await t.request('GET', `/api/v1/suppliers?filter[name]=${encodeURIComponent(supplierName)}`, {
      token: issued.accessToken,
      headers: { 'idempotency-key': unique('idem') },
    });
    expect(failed.status).toBe(500);

    const written = t.logs.slice(before).join('');
    for (const secret of secrets) expect([secret, written.includes(secret)]).toEqual([secret, false]);

    // It did log those requests, so the test looked at real lines.
    const lines = parsed(t.logs.slice(before));
    const urls = lines.filter((l) => l.req).map((l) => l.req.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/api/v1/sessions',
        '/api/v1/stores?filter[phone]=[redacted]&filter[email]=[redacted]&page[size]=5',
        '/api/v1/stores?filter[name]=[redacted]',
        '/api/v1/suppliers?filter[name]=[redacted]',
      ]),
    );
    expect(lines.some((l) => l.level === 50 && l.msg === 'request failed')).toBe(true);
    const answered = lines.find((l) => l.req?.id === failed.headers['x-request-id'] && l.res);
    expect(answered).toMatchObject({ res: { statusCode: 500 }, tenantId: shop.tenantId, userId: claims.sub });
  });

  it('redacts every configured path wherever the server logs an object', () => {
    // The request serializer emits no headers or bodies; these paths are what stops
    // a password or a token in any object logged on purpose or by mistake.
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining(['req.headers.authorization', '*.password', '*.accessToken', '*.refreshToken', '*.token', '*.email', '*.phone']),
    );
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // The configuration alone (without the serializers, which reshape `req` and `res` first).
    const sut = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
    for (const path of REDACT_PATHS) {
      const keys = (path.match(/[^.[\]"]+/g) ?? []).map((key) => (key === '*' ? 'attributes' : key));
      const value = unique('sensitive');
      const object = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
      sut.info(object, 'probe');
      const line = JSON.parse(lines.at(-1)!);
      expect([path, keys.reduce((at, key) => at?.[key], line)]).toEqual([path, '[redacted]']);
      expect(lines.at(-1)).not.toContain(value);
    }
  });

  it('redacts every write-only and sensitive attribute of every resource type', () => {
    const covered = new Set(REDACT_PATHS.filter((path) => path.startsWith('*.')).map((path) => path.slice(2)));
    // The registered types, and the bodies of the hand-made routes (signup, sessions, ...).
    const definitions = [...t.app.get(ResourceRegistry).all().map(({ def }) => def), signupResource, sessionResource, inviteAcceptanceResource, passwordChangeResource];
    const secret = definitions.flatMap((def) => Object.entries(def.attributes).filter(([, a]) => a.writeOnly || a.sensitive).map(([name]) => `${def.type}.${name}`));

    expect(secret).toEqual(expect.arrayContaining(['integration-secrets.value', 'sessions.password', 'password-changes.currentPassword', 'suppliers.contactPhone', 'employees.phone']));
    expect(secret.filter((attribute) => !covered.has(attribute.split('.')[1]))).toEqual([]);
  });

  it("redacts through the logger the server's code uses (Nest's Logger, routed to pino)", () => {
    const before = t.logs.length;
    const password = unique('password');
    const token = unique('token');
    const email = uniqueEmail('logged');
    new Logger('RedactionProbe').log({ attributes: { password, email, phone: '+79161234567' }, session: { accessToken: token } });
    const [line] = parsed(t.logs.slice(before)).filter((l) => l.context === 'RedactionProbe');
    expect(line.attributes).toEqual({ password: '[redacted]', email: '[redacted]', phone: '[redacted]' });
    expect(line.session).toEqual({ accessToken: '[redacted]' });
  });

  it('logs no line for probes of /health and /metrics, and one for every other request', async () => {
    const before = t.logs.length;
    for (const url of ['/health', '/health?probe=1', '/metrics']) expect((await t.request('GET', url)).status).toBe(200);
    const stores = await t.request('GET', '/api/v1/stores', { token: shop.accessToken });
    expect(stores.status).toBe(200);
    const logged = parsed(t.logs.slice(before)).filter((l) => l.req);
    expect(logged.map((l) => l.req.url)).toEqual(['/api/v1/stores']);
  });
});
