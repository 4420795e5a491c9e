import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { DocsController } from '../../src/infra/openapi/docs.controller';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core downloads no browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
/** The network here is closed: without these, Chromium stalls trying to reach Google's services. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe(`${DocsController.name}: /docs in headless Chromium (${PROFILE})`, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    // Fail, never skip: a missing browser must not pass as a green run.
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y chromium`);
    t = await bootApp();
    // The harness injects requests; a browser needs a real socket.
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 10_000 });
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders every operation of the document, loading nothing from outside this server', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(`${base}/`) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // CSP violations and failed loads are reported as console errors.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    const response = await page.goto(`${base}/docs`);
    expect(response?.status()).toBe(200);
    // Swagger UI lays out the whole document before the first operation shows: seconds on a
    // machine busy with the other suites (10 s was once too little with two workers running).
    await page.locator('.opblock-summary').first().waitFor({ timeout: 40_000 });
    const document = (await t.request('GET', '/api/v1/openapi.json')).body;
    const documented = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== 'parameters')
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    // From 150 tags and operations on, Swagger UI renders only what is near the viewport:
    // scroll through the page in half-screen steps and collect every operation it draws on
    // the way. On a loaded machine drawing can lag a step, so a pass that missed some goes again.
    const seen = new Set<string>();
    for (let pass = 0; pass < 3 && seen.size < documented.length; pass++) {
      await page.evaluate('window.scrollTo(0, 0)');
      for (let previous = -1, still = 0; still < 3; ) {
        await page.waitForTimeout(50);
        const drawn = await page.$$eval('.opblock-summary', (nodes) =>
          nodes.map((n) => `${n.querySelector('.opblock-summary-method')?.textContent} ${n.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
        );
        drawn.forEach((op) => seen.add(op));
        const at = await page.evaluate<number>('window.scrollBy(0, window.innerHeight / 2), window.scrollY');
        still = at === previous ? still + 1 : 0;
        previous = at;
      }
    }
    const shown = [...seen];

    expect(shown).toEqual(
      expect.arrayContaining(['GET /api/v1/stores', 'POST /api/v1/stores', 'PATCH /api/v1/stores/{id}', 'POST /api/v1/operations', 'POST /api/v1/sessions', 'GET /api/v1/tenants/current']),
    );
    expect(shown.sort()).toEqual(documented.sort());
    expect(await page.title()).toBe('Bloomdesk API');
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('serves only the renderer’s own files under /docs/assets', async () => {
    const bundle = await fetch(`${base}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2F..%2Fpackage.json', '/docs/assets/swagger-ui-bundle.js.map']) {
      expect({ path, status: (await fetch(`${base}${path}`)).status }).toEqual({ path, status: 404 });
    }
  });
});
