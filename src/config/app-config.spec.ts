import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const services = {
  CATALOG_DATABASE_URL: 'mysql://app:pw@db:3306/bloomdesk_catalog',
  SHARD_DATABASE_URLS: 's1=mysql://app:pw@db:3306/bloomdesk_shard_1, s2=mysql://app:pw@db2:3306/bloomdesk_shard_2',
  REDIS_URL: 'redis://cache:6379/0',
  VAULT_ADDR: 'http://vault:8200',
  VAULT_ROLE_ID: '6f2d3c1e-0b7a-4c9e-9d1f-2a3b4c5d6e7f',
  VAULT_SECRET_ID: 'secret-id',
  AUTH_TOKEN_SECRET: 'x'.repeat(40),
};

describe(loadConfig.name, () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'bloomdesk-config-'));

  it('runs the embedded profile when nothing is set, with files under DATA_DIR', () => {
    const dir = dataDir();
    const sut = loadConfig({ DATA_DIR: dir });
    expect(sut.profile).toBe('embedded');
    expect(sut.catalog).toEqual({ kind: 'sqljs', file: join(dir, 'catalog.sqlite') });
    expect(sut.shards).toEqual([{ id: 'local', target: { kind: 'sqljs', file: join(dir, 'shard-local.sqlite') } }]);
    expect(sut.redisUrl).toBeNull();
    expect(sut.vault).toBeNull();
    expect(sut.auth.tokenSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).auth.tokenSecret).toBe(sut.auth.tokenSecret);
  });

  it('with no variables at all runs the embedded profile on ./data of the working directory, made on first start', () => {
    // loadConfig resolves ./data against the process's working directory: a temporary one, not the repository.
    const cwd = dataDir();
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const sut = loadConfig({});
      expect(sut.profile).toBe('embedded');
      expect(sut.dataDir).toBe(join(cwd, 'data'));
      expect(sut.catalog).toEqual({ kind: 'sqljs', file: join(cwd, 'data', 'catalog.sqlite') });
      expect(sut.shards).toEqual([{ id: 'local', target: { kind: 'sqljs', file: join(cwd, 'data', 'shard-local.sqlite') } }]);
      expect(existsSync(join(cwd, 'data', 'auth-token.key'))).toBe(true);
    } finally {
      process.chdir(before);
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('runs the services profile with every shard, AppRole and defaults', () => {
    const sut = loadConfig(services);
    expect(sut.profile).toBe('services');
    expect(sut.shards).toEqual([
      { id: 's1', target: { kind: 'mysql', url: 'mysql://app:pw@db:3306/bloomdesk_shard_1' } },
      { id: 's2', target: { kind: 'mysql', url: 'mysql://app:pw@db2:3306/bloomdesk_shard_2' } },
    ]);
    expect(sut.vault).toMatchObject({
      addr: 'http://vault:8200',
      auth: { kind: 'approle', roleId: services.VAULT_ROLE_ID },
      piiKey: 'bloomdesk-pii',
      transitMount: 'transit',
    });
    expect(sut.seedDemo).toBe(false);
  });

  it('reconciles the cache outboxes every second unless CACHE_OUTBOX_POLL_MS says otherwise', () => {
    expect(loadConfig(services).cacheOutboxPollMs).toBe(1000);
    expect(loadConfig({ ...services, CACHE_OUTBOX_POLL_MS: '250' }).cacheOutboxPollMs).toBe(250);
  });

  it('caps an export at 100000 rows unless EXPORT_MAX_ROWS says otherwise, and refuses a cap of 0', () => {
    expect(loadConfig(services).exportMaxRows).toBe(100_000);
    expect(loadConfig({ ...services, EXPORT_MAX_ROWS: '500' }).exportMaxRows).toBe(500);
    expect(() => loadConfig({ ...services, EXPORT_MAX_ROWS: '0' })).toThrow(/^EXPORT_MAX_ROWS is malformed: expected an integer number of rows 1-1000000$/);
  });

  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'bloomdesk-app', 'api.example.com'])('listens on HOST=%s', (host) => {
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: host }).http.host).toBe(host);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT is malformed: expected an integer port 0-65535$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL is malformed/],
    [{ ...services, REDIS_URL: undefined }, /^REDIS_URL is missing \(the services profile needs it\): expected redis:\/\//],
    [{ REDIS_URL: 'redis://x:6379' }, /^CATALOG_DATABASE_URL is missing/],
    [{ ...services, SHARD_DATABASE_URLS: 'mysql://db/x' }, /^SHARD_DATABASE_URLS is malformed: expected a comma-separated list of id=mysql:/],
    [{ ...services, SHARD_DATABASE_URLS: 'a=mysql://db/x,a=mysql://db/y' }, /^SHARD_DATABASE_URLS repeats a shard id/],
    [{ ...services, CATALOG_DATABASE_URL: 'postgres://db/x' }, /^CATALOG_DATABASE_URL is malformed/],
    [{ ...services, AUTH_TOKEN_SECRET: 'short' }, /^AUTH_TOKEN_SECRET is malformed: expected a random string of at least 32/],
    [{ ...services, VAULT_SECRET_ID: undefined }, /^VAULT_SECRET_ID is missing/],
    [{ ...services, VAULT_ROLE_ID: undefined, VAULT_SECRET_ID: undefined }, /^VAULT_TOKEN is missing/],
    [{ NODE_ENV: 'production' }, /^CATALOG_DATABASE_URL is missing \(the embedded profile is not for production\)/],
    [{ DATA_DIR: '/etc/passwd' }, /^DATA_DIR cannot be used \(EEXIST on \/etc\/passwd\): expected the path of a directory/],
    [{ DATA_DIR: '/etc/passwd/data' }, /^DATA_DIR cannot be used \(ENOTDIR/],
    [{ HOST: 'not..a..host' }, /^HOST is malformed: expected an IP address or a host name/],
    [{ HOST: 'http://example.com' }, /^HOST is malformed/],
    [{ CACHE_OUTBOX_POLL_MS: '50' }, /^CACHE_OUTBOX_POLL_MS is malformed: expected an integer number of milliseconds 100-60000$/],
  ])('refuses %p with one line naming the variable', (env, message) => {
    let thrown: unknown;
    try {
      loadConfig({ DATA_DIR: dataDir(), ...env } as NodeJS.ProcessEnv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('\n');
    expect((thrown as Error).message).not.toContain('pw@');
  });
});
