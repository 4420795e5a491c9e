import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../../src/config/app-config';
import { runAllMigrations } from '../../src/infra/database/migrate';
import { bootApp } from '../support/app-harness';
import { newShop, shardOf } from '../support/fixtures';
import { ownDatabases } from '../support/own-databases';
import { MYSQL_ROOT_URL, servicesEnv, testDatabases } from '../support/services-env';

// Services profile only: what MySQL and several shards add to the shared e2e scenarios.
describe('MySQL schema and shards', () => {
  const TEST_DATABASES = testDatabases();
  it('applies nothing when the migrations run again', async () => {
    const reports = await runAllMigrations(loadConfig(servicesEnv()));
    expect(reports.map((r) => r.database)).toEqual(['catalog', 'shard a', 'shard b']);
    expect(reports.every((r) => r.applied.length === 0)).toBe(true);
  });

  it('leads the primary key and every index of each tenant-owned table with tenant_id', async () => {
    const mysql = await createConnection(`${MYSQL_ROOT_URL}/`);
    try {
      const [rows] = await mysql.query<any[]>(
        `SELECT table_schema AS db, table_name AS tbl, index_name AS idx, column_name AS col
           FROM information_schema.statistics
          WHERE table_schema IN (?) AND seq_in_index = 1 AND table_name <> 'migrations'
            AND NOT (table_schema = ? AND table_name IN ('tenants', 'shards'))
            AND NOT (table_schema = ? AND table_name = 'users' AND index_name = 'ux_users_email_index')`,
        [TEST_DATABASES, TEST_DATABASES[0], TEST_DATABASES[0]],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.col !== 'tenant_id')).toEqual([]);
      expect(rows.map((r) => `${r.db}.${r.tbl}`)).toEqual(expect.arrayContaining([`${TEST_DATABASES[1]}.stores`, `${TEST_DATABASES[0]}.users`]));
    } finally {
      await mysql.end();
    }
  });

  it('places new tenants on the least-loaded shard, and a shard that is down on none', async () => {
    // Databases of its own: the shared ones fill with other suites' shops while this one counts.
    const own = await ownDatabases();
    const [shardA] = own.env.SHARD_DATABASE_URLS.split(',');
    const LOAD = 3;
    try {
      // Shard a alone takes the first shops; b joins at the next start, beside a shard that is down.
      const alone = await bootApp({ ...own.env, SHARD_DATABASE_URLS: shardA });
      try {
        for (let i = 0; i < LOAD; i++) await newShop(alone);
      } finally {
        await alone.close();
      }
      const t = await bootApp({ ...own.env, SHARD_DATABASE_URLS: `${own.env.SHARD_DATABASE_URLS},down=mysql://root@127.0.0.1:1/nowhere` });
      try {
        const health = await t.request('GET', '/health');
        expect(health.status).toBe(503);
        expect(health.body.error).toHaveProperty('shard:down');
        expect(health.body.details['shard:a'].status).toBe('up');
        expect(health.body.details['shard:b'].status).toBe('up');

        const placed: string[] = [];
        for (let i = 0; i < LOAD + 2; i++) placed.push(await shardOf(t, (await newShop(t)).tenantId));
        // b until it holds as many as a; then, level, the lower id first.
        expect(placed).toEqual(['b', 'b', 'b', 'a', 'b']);
      } finally {
        await t.close();
      }
    } finally {
      await own.drop();
    }
  });
});
