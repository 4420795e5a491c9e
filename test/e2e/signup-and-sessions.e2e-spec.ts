import { AccessTokenService } from '../../src/infra/auth/access-token';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { Tenant } from '../../src/modules/tenants/entities/tenant';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, freshIp, loginDocument, newShop, signupDocument, storeDocument, uniqueEmail } from '../support/fixtures';

describe(`signup and sessions (${PROFILE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/v1/signup', () => {
    it('creates the tenant and answers with it', async () => {
      const doc = signupDocument({ tenantName: 'Rose & Co' });
      const res = await t.request('POST', '/api/v1/signup', { body: doc, ip: freshIp() });

      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        type: 'tenants',
        attributes: { name: 'Rose & Co', currency: 'RUB', timeZone: 'Europe/Moscow' },
      });
      expect(res.body.data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(res.headers.location).toBe(`/api/v1/tenants/${res.body.data.id}`);
      expect(res.body.data.attributes).not.toHaveProperty('password');
      expect(res.body.data.attributes).not.toHaveProperty('shardId');
    });

    it('refuses a second account for the same e-mail, in any letter case', async () => {
      const first = signupDocument();
      await t.request('POST', '/api/v1/signup', { body: first, ip: freshIp() });
      const again = signupDocument({ email: ` ${first.data.attributes.email.toUpperCase()} ` });

      const res = await t.request('POST', '/api/v1/signup', { body: again, ip: freshIp() });

      expect(res.status).toBe(409);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ status: '409', code: 'email-taken', source: { pointer: '/data/attributes/email' } }),
      ]);
    });

    it.each([
      ['tenantName', 'x'.repeat(121)],
      ['tenantName', '   '],
      ['ownerName', ''],
      ['email', 'not-an-email'],
      ['password', 'short'],
      ['currency', 'rub'],
      ['currency', 'XYZ'],
      ['timeZone', 'Mars/Olympus'],
      ['currency', 643],
    ])('answers 422 pointing at %s = %p and writes nothing', async (attribute, value) => {
      const doc = signupDocument({ [attribute]: value });
      const res = await t.request('POST', '/api/v1/signup', { body: doc, ip: freshIp() });

      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: any) => e.source.pointer)).toContain(`/data/attributes/${attribute}`);
      if (attribute !== 'email' && attribute !== 'password') {
        const login = await t.request('POST', '/api/v1/sessions', {
          body: loginDocument(doc.data.attributes.email as string, doc.data.attributes.password as string),
          ip: freshIp(),
        });
        expect(login.status).toBe(401);
      }
    });

    it('refuses attributes it does not know, such as a smuggled shard or tenant id', async () => {
      const res = await t.request('POST', '/api/v1/signup', { body: signupDocument({ shardId: 'a' }), ip: freshIp() });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'unknown-attribute', source: { pointer: '/data/attributes/shardId' } });
    });

    /** The refused document created nothing: its owner cannot log in, and its e-mail is still free. */
    async function expectNothingWritten(doc: ReturnType<typeof signupDocument>) {
      const { email, password } = doc.data.attributes as { email: string; password: string };
      const login = await t.request('POST', '/api/v1/sessions', { body: loginDocument(email, password), ip: freshIp() });
      expect(login.status).toBe(401);
      expect((await t.request('POST', '/api/v1/signup', { body: doc, ip: freshIp() })).status).toBe(201);
    }

    it('refuses a document of another type with 409 and writes nothing', async () => {
      const doc = signupDocument();
      const res = await t.request('POST', '/api/v1/signup', { body: { data: { ...doc.data, type: 'tenants' } }, ip: freshIp() });
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'type-conflict', source: { pointer: '/data/type' } });
      await expectNothingWritten(doc);
    });

    it('refuses a body that is not JSON:API (application/json) with 415 and writes nothing', async () => {
      const doc = signupDocument();
      const res = await t.request('POST', '/api/v1/signup', { body: doc, headers: { 'content-type': 'application/json' }, ip: freshIp() });
      expect(res.status).toBe(415);
      expect(res.body.errors[0]).toMatchObject({ status: '415', code: 'unsupported-media-type', source: { header: 'Content-Type' } });
      await expectNothingWritten(doc);
    });

    it('limits sign-ups from one address', async () => {
      const ip = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        statuses.push((await t.request('POST', '/api/v1/signup', { body: { data: { type: 'signups', attributes: {} } }, ip })).status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 422)).toBe(true);
      const limited = await t.request('POST', '/api/v1/signup', { body: signupDocument(), ip });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body.errors[0].code).toBe('rate-limited');
    });
  });

  describe('POST /api/v1/sessions', () => {
    it('logs in with the e-mail in any case and returns a bearer token that works', async () => {
      const doc = signupDocument();
      await t.request('POST', '/api/v1/signup', { body: doc, ip: freshIp() });
      const { email, password } = doc.data.attributes as { email: string; password: string };

      const res = await t.request('POST', '/api/v1/sessions', { body: loginDocument(email.toUpperCase(), password), ip: freshIp() });

      expect(res.status).toBe(201);
      const session = res.body.data.attributes;
      expect(res.body.data.type).toBe('sessions');
      expect(session).toEqual({
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        refreshToken: expect.stringMatching(/^rt1\./),
        tokenType: 'Bearer',
        expiresAt: expect.any(String),
        refreshExpiresAt: expect.any(String),
      });
      expect(Date.parse(session.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60 * 1000);
      const me = await t.request('GET', '/api/v1/tenants/current', { token: session.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.data.attributes.name).toBe('Rose & Co');
    });

    it('gives the same 401 for a wrong password and an unknown e-mail', async () => {
      const shop = await newShop(t);
      const wrong = await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, 'wrong password!'), ip: freshIp() });
      const unknown = await t.request('POST', '/api/v1/sessions', { body: loginDocument(uniqueEmail(), 'whatever it is'), ip: freshIp() });

      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.errors).toEqual([
        {
          status: '401',
          code: 'invalid-credentials',
          title: expect.any(String),
          detail: 'The e-mail or the password is wrong.',
          source: { pointer: '/data/attributes' },
        },
      ]);
      expect(unknown.body.errors).toEqual(wrong.body.errors);
    });

    it('slows an e-mail down after five failed logins, even with the right password', async () => {
      const shop = await newShop(t);
      for (let i = 0; i < 5; i++) {
        const res = await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, `wrong-${i}-password`), ip: freshIp() });
        expect(res.status).toBe(401);
      }
      const locked = await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('counts concurrent guesses before checking them: of ten at once five are checked, five wait, for a known and an unknown e-mail alike', async () => {
      const shop = await newShop(t);
      const burst = (email: string) =>
        Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.request('POST', '/api/v1/sessions', { body: loginDocument(email, `wrong-${i}-password`), ip: freshIp() }),
          ),
        );
      const [known, unknown] = await Promise.all([burst(shop.email), burst(uniqueEmail())]);

      for (const responses of [known, unknown]) {
        expect(responses.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
        for (const limited of responses.filter((r) => r.status === 429)) {
          expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
          expect(limited.body.errors[0]).toMatchObject({ status: '429', code: 'rate-limited' });
        }
      }
      // The same answers for both: nothing tells a known e-mail from an unknown one.
      const answers = (responses: typeof known) => responses.map((r) => `${r.status} ${r.body.errors[0].code} ${r.body.errors[0].title}`).sort();
      expect(answers(unknown)).toEqual(answers(known));
      const right = await t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() });
      expect(right.status).toBe(429);
    });

    it('logs in while the shop is being moved to another shard, but not while it is suspended', async () => {
      const shop = await newShop(t);
      const tenants = t.app.get(CatalogDatabase).manager.getRepository(Tenant);
      const login = () => t.request('POST', '/api/v1/sessions', { body: loginDocument(shop.email, shop.password), ip: freshIp() });
      try {
        await tenants.update({ id: shop.tenantId }, { status: 'moving' });
        const moving = await login();
        expect(moving.status).toBe(201);
        expect((await t.request('GET', '/api/v1/stores', { token: moving.body.data.attributes.accessToken })).status).toBe(200);
        // Successes do not add up to a lock-out.
        for (let i = 0; i < 5; i++) expect((await login()).status).toBe(201);

        await tenants.update({ id: shop.tenantId }, { status: 'suspended' });
        const suspended = await login();
        expect(suspended.status).toBe(401);
        expect(suspended.body.errors[0].code).toBe('invalid-credentials');
      } finally {
        await tenants.update({ id: shop.tenantId }, { status: 'active' });
      }
    });

    it('rotates the refresh token, and a replayed old one ends the session', async () => {
      const shop = await newShop(t);
      const refresh = (token: string) =>
        t.request('POST', '/api/v1/sessions', { body: { data: { type: 'sessions', attributes: { refreshToken: token } } }, ip: freshIp() });

      const first = await refresh(shop.refreshToken);
      expect(first.status).toBe(201);
      const next = first.body.data.attributes;
      expect(next.refreshToken).not.toBe(shop.refreshToken);
      expect((await t.request('GET', '/api/v1/stores', { token: next.accessToken })).status).toBe(200);

      const replay = await refresh(shop.refreshToken);
      expect(replay.status).toBe(401);
      expect(replay.body.errors[0].code).toBe('invalid-refresh-token');
      expect((await refresh(next.refreshToken)).status).toBe(401);
      const after = await t.request('GET', '/api/v1/stores', { token: next.accessToken });
      expect(after.status).toBe(401);
      expect(after.body.errors[0].code).toBe('session-revoked');
    });

    it('refuses a forged refresh token without ending the real session', async () => {
      const shop = await newShop(t);
      const forged = shop.refreshToken.replace(/\.[\w-]{43}$/, `.${'A'.repeat(43)}`);
      const res = await t.request('POST', '/api/v1/sessions', {
        body: { data: { type: 'sessions', attributes: { refreshToken: forged } } },
        ip: freshIp(),
      });
      expect(res.status).toBe(401);
      expect((await t.request('GET', '/api/v1/stores', { token: shop.accessToken })).status).toBe(200);
    });

    it('refuses credentials and a refresh token in one document', async () => {
      const shop = await newShop(t);
      const res = await t.request('POST', '/api/v1/sessions', {
        body: { data: { type: 'sessions', attributes: { email: shop.email, password: shop.password, refreshToken: shop.refreshToken } } },
        ip: freshIp(),
      });
      expect(res.status).toBe(422);
      expect(res.body.errors[0].source.pointer).toBe('/data/attributes/refreshToken');
    });
  });

  describe('DELETE /api/v1/sessions/current', () => {
    it('logs out: the access token stops working at once', async () => {
      const shop = await newShop(t);
      const res = await t.request('DELETE', '/api/v1/sessions/current', { token: shop.accessToken });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const after = await t.request('GET', '/api/v1/stores', { token: shop.accessToken });
      expect(after.status).toBe(401);
      expect(after.body.errors[0]).toMatchObject({ code: 'session-revoked', source: { header: 'Authorization' } });
    });
  });

  describe('bad tokens', () => {
    it.each([
      ['no token', undefined, 'missing-token'],
      ['garbage', 'garbage', 'invalid-token'],
      ['a forged signature', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', 'invalid-token'],
    ])('answers 401 for %s, pointing at the Authorization header', async (_label, token, code) => {
      const res = await t.request('GET', '/api/v1/stores', { token });
      expect(res.status).toBe(401);
      expect(res.body.errors).toEqual([expect.objectContaining({ status: '401', code, source: { header: 'Authorization' } })]);
    });

    /** The shop's own token signed an hour ago: past its lifetime, otherwise genuine. */
    const staleToken = (shop: Shop) => {
      const claims = JSON.parse(Buffer.from(shop.accessToken.split('.')[1], 'base64url').toString());
      return t.app.get(AccessTokenService).sign({ sub: claims.sub, tid: claims.tid, sid: claims.sid }, Date.now() - 3600_000).token;
    };

    it('answers 401 expired-token for a token past its lifetime', async () => {
      const res = await t.request('GET', '/api/v1/stores', { token: staleToken(await newShop(t)) });
      expect(res.status).toBe(401);
      expect(res.body.errors).toEqual([expect.objectContaining({ status: '401', code: 'expired-token', source: { header: 'Authorization' } })]);
    });

    it.each([
      ['no token', () => undefined, 'missing-token'],
      ['garbage', () => 'garbage', 'invalid-token'],
      // The shop's own claims: were the signature not checked, the writes would land in its data.
      ['its token with a forged signature', (shop: Shop) => `${shop.accessToken.split('.').slice(0, 2).join('.')}.${Buffer.alloc(32, 7).toString('base64url')}`, 'invalid-token'],
      ['its token past its lifetime', staleToken, 'expired-token'],
    ])('answers every write to a shop with %s with 401 at the Authorization header, and writes nothing', async (_label, tokenFor, code) => {
      const shop = await newShop(t);
      const store = (await t.request('POST', '/api/v1/stores', { token: shop.accessToken, body: storeDocument({ name: 'Untouched' }) })).body.data;
      const stores = async () => (await t.request('GET', '/api/v1/stores', { token: shop.accessToken })).body.data;
      const before = await stores();
      const token = tokenFor(shop);
      const atomic = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"';
      const writes = {
        'POST /stores': await t.request('POST', '/api/v1/stores', { token, body: storeDocument({ name: 'Never made' }) }),
        'PATCH /stores/:id': await t.request('PATCH', `/api/v1/stores/${store.id}`, { token, body: { data: { type: 'stores', id: store.id, attributes: { name: 'Never renamed' } } } }),
        'DELETE /stores/:id': await t.request('DELETE', `/api/v1/stores/${store.id}`, { token }),
        'POST /operations': await t.request('POST', '/api/v1/operations', {
          token,
          headers: { 'content-type': atomic, accept: atomic },
          body: { 'atomic:operations': [{ op: 'add', data: { type: 'stores', attributes: { name: 'Never batched' } } }, { op: 'remove', ref: { type: 'stores', id: store.id } }] },
        }),
      };
      for (const [route, res] of Object.entries(writes)) {
        expect({ route, status: res.status, errors: res.body.errors }).toEqual({ route, status: 401, errors: [expect.objectContaining({ status: '401', code, source: { header: 'Authorization' } })] });
      }
      expect(await stores()).toEqual(before);
    });
  });
});
