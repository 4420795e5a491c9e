import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { type AppConfig, type DatabaseTarget, loadConfig } from '../../src/config/app-config';
import { type DatabaseRole, dataSourceOptions } from '../../src/infra/database/data-source-options';
import { CATALOG_MIGRATIONS, SHARD_MIGRATIONS } from '../../src/infra/database/migrations';
import { PROFILE } from '../support/app-harness';
import { buildServer, run } from '../support/built-server';
import { ownDatabases } from '../support/own-databases';
import { servicesEnv } from '../support/services-env';

// `npm run migration:run` is `nest build && node dist/cli/migrate.js`. The test
// runs its second half on the build the process suites use (`buildServer`: the
// same `nest build`, kept in node_modules/.cache): building into dist/ here would
// delete the dist/ a developer's server runs from, and race the other profile's
// suite. It runs against databases of its own: a new DATA_DIR, or new MySQL databases.

const ROOT = resolve(__dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');

describe(`npm run migration:run (${PROFILE})`, () => {
  let migrate: string;
  let vars: Record<string, string>;
  let config: AppConfig;
  const cleanUps: Array<() => unknown> = [];

  beforeAll(async () => {
    migrate = join(dirname(await buildServer()), 'cli/migrate.js');
    if (PROFILE === 'services') {
      const own = await ownDatabases();
      vars = { ...servicesEnv(), ...own.env };
      cleanUps.push(own.drop);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'bloomdesk-migrate-'));
      vars = { DATA_DIR: dir };
      cleanUps.push(() => rmSync(dir, { recursive: true, force: true }));
    }
    config = loadConfig(vars);
  }, 180_000);
  afterAll(async () => {
    for (const cleanUp of cleanUps) await cleanUp();
  });

  /** The CLI as the script runs it, with only the profile's variables (and PATH). */
  const migrationRun = () => run(NODE, [migrate], { env: { PATH: process.env.PATH, ...vars } });

  /** Every database's migrations table, as rows. */
  async function applied(): Promise<Record<string, unknown[]>> {
    const read = async (target: DatabaseTarget, role: DatabaseRole) => {
      const db = new DataSource(dataSourceOptions(target, role, 1));
      await db.initialize();
      try {
        return (await db.query('SELECT * FROM migrations ORDER BY id')) as unknown[];
      } finally {
        await db.destroy();
      }
    };
    const tables: Record<string, unknown[]> = { catalog: await read(config.catalog, 'catalog') };
    for (const shard of config.shards) tables[`shard ${shard.id}`] = await read(shard.target, 'shard');
    return tables;
  }

  it('is the build, then the migration CLI this test runs', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['migration:run']).toBe('nest build && node dist/cli/migrate.js');
  });

  it('applies every migration to the catalog and each shard of new databases, and a second run applies nothing', async () => {
    const first = await migrationRun();
    const names = (migrations: { name: string }[]) => migrations.map((m) => m.name).join(', ');
    expect(first).toMatchObject({ status: 0, stderr: '' });
    expect(first.stdout).toBe(
      [`catalog: applied ${names(CATALOG_MIGRATIONS)}`, ...config.shards.map((s) => `shard ${s.id}: applied ${names(SHARD_MIGRATIONS)}`)].join('\n') + '\n',
    );
    const afterFirst = await applied();
    expect(Object.fromEntries(Object.entries(afterFirst).map(([db, rows]) => [db, rows.length]))).toEqual({
      catalog: CATALOG_MIGRATIONS.length,
      ...Object.fromEntries(config.shards.map((s) => [`shard ${s.id}`, SHARD_MIGRATIONS.length])),
    });

    const second = await migrationRun();
    expect(second).toMatchObject({ status: 0, stderr: '' });
    expect(second.stdout).toBe(['catalog: up to date', ...config.shards.map((s) => `shard ${s.id}: up to date`)].join('\n') + '\n');
    expect(await applied()).toEqual(afterFirst);
  });

  it('fails with one line naming the reason, and exit code 1, when the catalog cannot be opened', async () => {
    let broken: Record<string, string>;
    let reason: string;
    if (PROFILE === 'services') {
      broken = { CATALOG_DATABASE_URL: 'mysql://root:s3cret-pw@127.0.0.1:1/x' };
      reason = 'ECONNREFUSED';
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'bloomdesk-migrate-broken-'));
      writeFileSync(join(dir, 'catalog.sqlite'), randomBytes(8192));
      broken = { DATA_DIR: dir };
      reason = 'file is not a database';
      cleanUps.push(() => rmSync(dir, { recursive: true, force: true }));
    }
    const result = await run(NODE, [migrate], { env: { PATH: process.env.PATH, ...vars, ...broken } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^bloomdesk: migration failed: \\w+: ${reason}\n$`));
    expect(result.stderr).not.toContain('s3cret-pw');
  });
});
