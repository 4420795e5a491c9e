import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, newShop, storeDocument } from '../support/fixtures';

describe(`JSON:API negotiation, errors and operations (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (headers: Record<string, string>, payload = JSON.stringify(storeDocument({ name: 'Negotiated' }))) =>
    t.request('POST', '/api/v1/stores', { token: shop.accessToken, headers, payload });

  describe('content negotiation', () => {
    it.each([
      ['application/json'],
      ['text/plain'],
      ['application/vnd.api+json; charset=utf-8'],
      ['application/vnd.api+json; ext="https://example.com/unknown-ext"'],
    ])('answers a request body of %s with 415', async (contentType) => {
      const res = await post({ 'content-type': contentType });
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toBe('application/vnd.api+json');
      expect(res.body.errors[0]).toMatchObject({ code: 'unsupported-media-type', source: { header: 'Content-Type' } });
    });

    it('accepts a request media type with a profile parameter', async () => {
      const res = await post({ 'content-type': 'application/vnd.api+json; profile="https://example.com/profile"' });
      expect(res.status).toBe(201);
    });

    it.each([
      ['application/vnd.api+json; charset=utf-8'],
      ['text/html'],
      ['application/vnd.api+json; ext="https://example.com/unknown-ext"'],
      ['application/vnd.api+json;q=0'],
      ['*/*;q=0'],
      ['application/vnd.api+json;q=0, text/html'],
      ['application/vnd.api+json;q=0, */*'],
    ])('answers Accept: %s with 406', async (accept) => {
      const res = await t.request('GET', '/api/v1/stores', { token: shop.accessToken, headers: { accept } });
      expect(res.status).toBe(406);
      expect(res.body.errors[0]).toMatchObject({ code: 'not-acceptable', source: { header: 'Accept' } });
    });

    it.each([['*/*'], ['application/vnd.api+json; charset=utf-8, application/vnd.api+json'], ['text/html, application/*']])(
      'serves Accept: %s',
      async (accept) => {
        const res = await t.request('GET', '/api/v1/stores', { token: shop.accessToken, headers: { accept } });
        expect(res.status).toBe(200);
      },
    );

    it('sends Vary: Accept and a bare media type', async () => {
      const res = await t.request('GET', '/api/v1/stores', { token: shop.accessToken });
      expect(res.headers.vary).toBe('Accept');
      expect(res.headers['content-type']).toBe('application/vnd.api+json');
      expect(res.body.jsonapi).toEqual({ version: '1.1' });
    });
  });

  describe('errors', () => {
    it('answers malformed JSON with 400 and nothing written', async () => {
      const before = (await t.request('GET', '/api/v1/stores', { token: shop.accessToken })).body.meta.total;
      const res = await post({ 'content-type': 'application/vnd.api+json' }, '{"data": {"type": "stores",');
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'malformed-json', source: { pointer: '' } });
      expect((await t.request('GET', '/api/v1/stores', { token: shop.accessToken })).body.meta.total).toBe(before);
    });

    it('answers an unknown route with a JSON:API 404', async () => {
      const res = await t.request('GET', '/api/v1/nothing-here', { token: shop.accessToken });
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe('route-not-found');
    });

    it('answers a body over the limit with 413', async () => {
      const res = await post({ 'content-type': 'application/vnd.api+json' }, JSON.stringify({ data: { type: 'stores', attributes: { name: 'x'.repeat(6 * 1024 * 1024) } } }));
      expect(res.status).toBe(413);
      expect(res.body.errors[0].code).toBe('payload-too-large');
    });

    it('never sends a stack trace', async () => {
      const res = await post({ 'content-type': 'application/vnd.api+json' }, '{');
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    });
  });

  describe('operations', () => {
    it('reports every dependency on /health', async () => {
      const res = await t.request('GET', '/health');
      expect(res.status).toBe(200);
      const shards = t.config.shards.map((s) => `shard:${s.id}`);
      expect(Object.keys(res.body.details).sort()).toEqual(['cache', 'catalog', 'encryption', ...shards].sort());
      expect(Object.values(res.body.details).every((d: any) => d.status === 'up')).toBe(true);
      expect(res.body.details.cache.store).toBe(PROFILE === 'services' ? 'redis' : 'memory');
      expect(res.body.details.encryption.provider).toBe(PROFILE === 'services' ? 'vault-transit' : 'local-keyring');
    });

    it('counts requests by route template and status on /metrics', async () => {
      await t.request('GET', `/api/v1/stores/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`, { token: shop.accessToken });
      const res = await t.request('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/stores\/:id",status="404"\} \d+/);
      expect(res.text).toMatch(/http_request_duration_seconds_bucket\{le="0.01",method="GET",route="\/api\/v1\/stores\/:id",status="404"\}/);
      expect(res.text).not.toContain('0000-7000-8000');
    });

    it('writes JSON log lines carrying the request id it echoes', async () => {
      const res = await t.request('GET', '/api/v1/stores', { token: shop.accessToken, headers: { 'x-request-id': 'trace-abc-12345' } });
      expect(res.headers['x-request-id']).toBe('trace-abc-12345');
      const lines = t.logs.join('').trim().split('\n').map((l) => JSON.parse(l));
      const line = lines.find((l) => l.req?.id === 'trace-abc-12345');
      expect(line).toMatchObject({ req: { method: 'GET', url: '/api/v1/stores' }, res: { statusCode: 200 } });
      expect(line.tenantId).toBe(shop.tenantId);
      expect(JSON.stringify(line)).not.toContain(shop.accessToken);
    });
  });
});
