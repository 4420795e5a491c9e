import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import { CATALOG_MIGRATIONS, SHARD_MIGRATIONS } from '../../src/infra/database/migrations';
import { PROFILE } from '../support/app-harness';
import { run } from '../support/built-server';
import { ownDatabases } from '../support/own-databases';
import { servicesEnv } from '../support/services-env';

// `npm run typeorm -- <command>`: the TypeORM CLI on ormconfig.ts, run as a user
// runs it, against databases of this suite's own (a new DATA_DIR, or new MySQL
// databases) whose migration state the test sets.

describe(`the TypeORM CLI on ormconfig.ts (${PROFILE})`, () => {
  let vars: Record<string, string>;
  let config: AppConfig;
  let cleanUp: () => Promise<void>;

  beforeAll(async () => {
    if (PROFILE === 'services') {
      const own = await ownDatabases();
      vars = { ...servicesEnv(), ...own.env };
      cleanUp = own.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'bloomdesk-typeorm-'));
      vars = { DATA_DIR: dir };
      cleanUp = async () => rmSync(dir, { recursive: true, force: true });
    }
    config = loadConfig(vars);
  });
  afterAll(async () => {
    await cleanUp?.();
  });

  const typeorm = (command: string, target?: string) =>
    run('npm', ['run', '--silent', 'typeorm', '--', command], { env: { ...process.env, ...vars, ...(target && { ORM_TARGET: target }) } });

  /**
   * `[X] <row id> Name` (applied) and `[ ] Name` (pending), in the order printed.
   * TypeORM underlines each line when colours are on (FORCE_COLOR in CI's environment).
   */
  const listed = (stdout: string) => [...stripVTControlCharacters(stdout).matchAll(/^\[([ X])\] (?:\d+ )?(\S+)$/gm)].map(([, mark, name]) => [name, mark === 'X']);
  /** The exit status and what went to stderr (empty on success), so a failure shows why. */
  const failure = ({ status, stderr }: { status: number | null; stderr: string }) => ({ status, stderr: stderr.trim() });

  it('migration:show lists every catalog migration as pending on a new catalog', async () => {
    const result = await typeorm('migration:show');

    expect({ listed: listed(result.stdout), ...failure(result) }).toEqual({ listed: CATALOG_MIGRATIONS.map((m) => [m.name, false]), status: 0, stderr: '' });
  });

  it('migration:show with ORM_TARGET=shard:<id> lists the shard migrations applied up to where the shard is', async () => {
    const shard = config.shards[0];
    const db = new DataSource(dataSourceOptions(shard.target, 'shard', 1));
    await db.initialize();
    try {
      await db.runMigrations();
      await db.undoLastMigration();
    } finally {
      await db.destroy();
    }

    const result = await typeorm('migration:show', `shard:${shard.id}`);

    expect({ listed: listed(result.stdout), ...failure(result) }).toEqual({
      listed: SHARD_MIGRATIONS.map((m, i) => [m.name, i < SHARD_MIGRATIONS.length - 1]),
      status: 0,
      stderr: '',
    });
  });

  it('refuses an ORM_TARGET that names no configured database', async () => {
    const result = await typeorm('migration:show', 'shard:nowhere');

    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(`ORM_TARGET must be catalog or shard:<id> with one of: ${config.shards.map((s) => s.id).join(', ')}`);
  });
});
