import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSON_API_MEDIA_TYPE } from '../../src/infra/json-api/media-type';
import { OPENAPI_PATH } from '../../src/infra/openapi/hand-made-routes';
import { DEMO_LOGIN } from '../../src/modules/tenants/demo-seed';
import { PROFILE } from '../support/app-harness';
import { assertJsonApiDocument } from '../support/json-api-schema';
import { openApiCheckAt } from '../support/openapi-check';
import { type ServerProcess, buildServer, runServer, startServer } from '../support/built-server';
import { loginDocument, signupDocument } from '../support/fixtures';
import { servicesEnv } from '../support/services-env';

// The server as a user starts it: `nest build`, then `node dist/main.js` as a
// process of its own (main.ts, not createApp), talked to over HTTP. What only a
// process shows: the one-line refusal and its exit code, the banner and whether
// the login it prints works, and what it writes to stdout.

const EX_CONFIG = 78;
const EX_UNAVAILABLE = 69;

describe(`the built server as a process (${PROFILE})`, () => {
  let main: string;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bloomdesk-process-'));
    dirs.push(dir);
    return dir;
  };
  /** The profile's environment; PORT=0 lets the system pick a free port, which the banner then names. */
  const profileEnv = (): Record<string, string> => ({ ...(PROFILE === 'services' ? servicesEnv() : { DATA_DIR: dataDir() }), PORT: '0', LOG_LEVEL: 'info' });

  beforeAll(async () => {
    main = await buildServer();
  }, 180_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const api = async (url: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    const response = await fetch(url, {
      method,
      headers: {
        accept: JSON_API_MEDIA_TYPE,
        ...(init.body !== undefined && { 'content-type': JSON_API_MEDIA_TYPE }),
        ...(init.token && { authorization: `Bearer ${init.token}` }),
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body = text && (type.startsWith(JSON_API_MEDIA_TYPE) || type.startsWith('application/json')) ? JSON.parse(text) : undefined;
    // The harness's checks, as on every response of the in-process suites: the JSON:API schema and the OpenAPI document the server serves.
    const { origin, pathname, search } = new URL(url);
    if (type.startsWith(JSON_API_MEDIA_TYPE)) assertJsonApiDocument(body, `${method} ${url} -> ${response.status}`, type);
    if (pathname.startsWith('/api/')) (await openApiCheckAt(origin)).check(method, `${pathname}${search}`, { status: response.status, contentType: type, body });
    return { status: response.status, body };
  };

  /** The demo login the banner prints: its curl command's URL and body, sent as printed. */
  function printedLogin(server: ServerProcess): { url: string; body: string } | undefined {
    const curl = /curl -s (\S+) -H 'content-type: application\/vnd\.api\+json' \\\n\s+-d '([^']+)'/.exec(server.banner);
    return curl ? { url: curl[1], body: curl[2] } : undefined;
  }

  /** Request lines the server logged (JSON on stdout). */
  const loggedUrls = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.req)
      .map((line) => line.req.url as string);

  type Refusal = [variable: string, value: string, named: string];
  const refusals: Refusal[] = [
    ['HOST', 'not..a..host', 'HOST'],
    ['PORT', 'eighty', 'PORT'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ...(PROFILE === 'embedded'
      ? ([
          ['DATA_DIR', '/etc/passwd', 'DATA_DIR'],
          ['NODE_ENV', 'production', 'CATALOG_DATABASE_URL'],
        ] satisfies Refusal[])
      : ([
          ['SHARD_DATABASE_URLS', 'a=postgres://u:s3cret-pw@db/x', 'SHARD_DATABASE_URLS'],
          ['VAULT_SECRET_ID', '', 'VAULT_SECRET_ID'],
        ] satisfies Refusal[])),
  ];

  it.each(refusals)('refuses %s=%p with exactly one line on stderr naming %s, and exit code 78', async (variable, value, named) => {
    const result = await runServer(main, { ...profileEnv(), [variable]: value });

    expect(result.stderr).toMatch(new RegExp(`^bloomdesk: cannot start: ${named} [^\\n]+: expected [^\\n]+\\n$`));
    expect(result.stderr).not.toContain('s3cret-pw');
    expect(result.status).toBe(EX_CONFIG);
    expect(result.stdout).toBe('');
  });

  it('refuses a port already taken with one line naming HOST and PORT, and exit code 78', async () => {
    const taken: Server = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = await runServer(main, { ...profileEnv(), HOST: '127.0.0.1', PORT: String(port), SEED_DEMO: 'false' });

      expect(result.stderr).toBe(`bloomdesk: cannot start: cannot listen on HOST=127.0.0.1 PORT=${port} (EADDRINUSE)\n`);
      expect(result.status).toBe(EX_CONFIG);
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });

  /** A TCP port nothing listens on: bound by the system, then closed. */
  async function closedPort(): Promise<number> {
    const probe: Server = createServer();
    await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
    const { port } = probe.address() as AddressInfo;
    await new Promise((closed) => probe.close(closed));
    return port;
  }

  it(
    PROFILE === 'embedded'
      ? 'refuses a damaged catalog file in DATA_DIR with one line naming it, no stack, and exit code 69'
      : 'refuses a catalog it cannot reach with one line naming it (not its password), no stack, and exit code 69',
    async () => {
      let env: Record<string, string>;
      let expected: string;
      if (PROFILE === 'embedded') {
        const dir = dataDir();
        writeFileSync(join(dir, 'catalog.sqlite'), randomBytes(8192));
        env = { ...profileEnv(), DATA_DIR: dir };
        expected = `bloomdesk: cannot start: the catalog database (${join(dir, 'catalog.sqlite')}) cannot be opened: file is not a database\n`;
      } else {
        const port = await closedPort();
        env = { ...profileEnv(), CATALOG_DATABASE_URL: `mysql://root:s3cret-pw@127.0.0.1:${port}/bd_catalog` };
        expected = `bloomdesk: cannot start: the catalog database (127.0.0.1:${port}/bd_catalog) cannot be opened: ECONNREFUSED\n`;
      }
      const result = await runServer(main, env);

      expect(result.stderr).toBe(expected);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/s3cret-pw|\n\s+at /);
      expect(result.status).toBe(EX_UNAVAILABLE);
    },
  );

  it('refuses a host name that does not resolve with one line naming HOST and PORT, and exit code 78', async () => {
    const result = await runServer(main, { ...profileEnv(), HOST: 'no-such-host.invalid', SEED_DEMO: 'false' });

    expect(result.stderr).toBe('bloomdesk: cannot start: cannot listen on HOST=no-such-host.invalid PORT=0 (ENOTFOUND)\n');
    expect(result.status).toBe(EX_CONFIG);
  });

  it('serves where its banner says, logs requests as JSON lines but not the probes, and stops on SIGTERM', async () => {
    const server = await startServer(main, { ...profileEnv(), SEED_DEMO: 'false' });
    let end;
    try {
      expect(server.banner).toMatch(new RegExp(`^Bloomdesk is serving at http://127\\.0\\.0\\.1:\\d+ \\(profile: ${PROFILE}\\)$`));
      expect(server.url).not.toMatch(/:0$/);
      expect((await api(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      const signup = signupDocument();
      expect((await api(`${server.url}/api/v1/signup`, { body: signup })).status).toBe(201);
      const { email, password } = signup.data.attributes as { email: string; password: string };
      const login = await api(`${server.url}/api/v1/sessions`, { body: loginDocument(email, password) });
      expect(login.status).toBe(201);
      expect((await api(`${server.url}/api/v1/stores`, { token: login.body.data.attributes.accessToken })).status).toBe(200);
    } finally {
      end = await server.stop();
    }
    // Read once it has exited: a request's line is written as its response finishes, maybe after the client has it.
    // The OpenAPI document is the checks' own request (`api` fetches it once per server).
    expect(loggedUrls(end.stdout).filter((url) => url !== OPENAPI_PATH)).toEqual(['/api/v1/signup', '/api/v1/sessions', '/api/v1/stores']);
    expect(end.stderr).toBe('');
  });

  if (PROFILE === 'embedded') {
    it('seeds a demo shop in an empty DATA_DIR and prints a login that works, on the first start and the next', async () => {
      const dir = dataDir();
      for (const start of ['first', 'second']) {
        const server = await startServer(main, { DATA_DIR: dir, PORT: '0' });
        try {
          const printed = printedLogin(server);
          expect([start, server.banner]).toEqual([start, expect.stringContaining(`log in with e-mail ${DEMO_LOGIN.email} and password ${DEMO_LOGIN.password}`)]);
          expect(printed?.url).toBe(`${server.url}/api/v1/sessions`);
          const login = await api(printed!.url, { body: printed!.body });
          expect([start, login.status]).toEqual([start, 201]);
          const stores = await api(`${server.url}/api/v1/stores`, { token: login.body.data.attributes.accessToken });
          expect(stores.body.data.map((s: any) => s.attributes.name).sort()).toEqual(['Demo Flowers — Arbat', 'Demo Flowers — Station kiosk']);
        } finally {
          await server.stop();
        }
      }
    });

    it('prints no demo login that would fail: not for a database of other shops, not once the demo password changed', async () => {
      const dir = dataDir();
      const first = await startServer(main, { DATA_DIR: dir, PORT: '0', SEED_DEMO: 'false' });
      try {
        expect((await api(`${first.url}/api/v1/signup`, { body: signupDocument() })).status).toBe(201);
      } finally {
        await first.stop();
      }
      const second = await startServer(main, { DATA_DIR: dir, PORT: '0' });
      try {
        expect(second.banner).not.toContain('Demo shop');
        expect((await api(`${second.url}/api/v1/sessions`, { body: loginDocument(DEMO_LOGIN.email, DEMO_LOGIN.password) })).status).toBe(401);
      } finally {
        await second.stop();
      }

      const demoDir = dataDir();
      const seeded = await startServer(main, { DATA_DIR: demoDir, PORT: '0' });
      try {
        const login = await api(`${seeded.url}/api/v1/sessions`, { body: loginDocument(DEMO_LOGIN.email, DEMO_LOGIN.password) });
        const { accessToken } = login.body.data.attributes;
        // The owner changes the printed password for one of their own.
        const changed = await api(`${seeded.url}/api/v1/password-changes`, {
          token: accessToken,
          body: { data: { type: 'password-changes', attributes: { currentPassword: DEMO_LOGIN.password, password: 'the owner chose another one' } } },
        });
        expect(changed.status).toBe(201);
      } finally {
        await seeded.stop();
      }
      const restarted = await startServer(main, { DATA_DIR: demoDir, PORT: '0' });
      try {
        expect(restarted.banner).not.toContain('Demo shop');
      } finally {
        await restarted.stop();
      }
    });
  }
});
