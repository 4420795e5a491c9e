import { SESSIONS_PER_IP } from '../../src/modules/tenants/rate-limits';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { type Shop, freshIp, loginDocument, newShop } from '../support/fixtures';

// Counted in Redis on the services profile, in memory on the embedded one.
describe(`the per-address limit on logins and refreshes (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const sessions = (attributes: Record<string, unknown>, ip: string) => t.request('POST', '/api/v1/sessions', { body: { data: { type: 'sessions', attributes } }, ip });

  /** Spends an address's whole allowance with requests that cost the server nothing (each still counts). */
  async function exhaust(ip: string, attributes: Record<string, unknown>, expected: number): Promise<void> {
    for (let i = 0; i < SESSIONS_PER_IP.max; i++) {
      const res = await sessions(attributes, ip);
      if (res.status !== expected) throw new Error(`request ${i + 1} from ${ip} answered ${res.status}, not ${expected}`);
    }
  }

  const expectLimited = (res: { status: number; headers: Record<string, unknown>; body: any }) => {
    expect(res.status).toBe(429);
    expect(res.body.errors[0].code).toBe('rate-limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(SESSIONS_PER_IP.windowSeconds);
  };

  it(`refuses login number ${SESSIONS_PER_IP.max + 1} from one address within the window, even with the right password; other addresses log in`, async () => {
    const ip = freshIp();
    await exhaust(ip, { email: 'not-an-email' }, 422);
    expectLimited(await sessions(loginDocument(shop.email, shop.password).data.attributes, ip));
    expect((await sessions(loginDocument(shop.email, shop.password).data.attributes, freshIp())).status).toBe(201);
  });

  it(`refuses refresh number ${SESSIONS_PER_IP.max + 1} from one address without spending the token, which works from elsewhere`, async () => {
    const ip = freshIp();
    await exhaust(ip, { refreshToken: 'rt1.not-a-refresh-token-at-all' }, 401);
    expectLimited(await sessions({ refreshToken: shop.refreshToken }, ip));
    expect((await sessions({ refreshToken: shop.refreshToken }, freshIp())).status).toBe(201);
  });
});
