import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import { uuid7 } from '../../src/infra/database/uuid7';
import { MAX_OPERATIONS } from '../../src/infra/json-api/atomic-operations';
import { FEATURES, Feature } from '../../src/infra/tenancy/features';
import { type TestApp, bootApp } from '../support/app-harness';
import { buildServer, run } from '../support/built-server';
import { create, flower } from '../support/catalog-fixtures';
import { type Shop, newShop, shardOf } from '../support/fixtures';
import { ownDatabases } from '../support/own-databases';
import { servicesEnv } from '../support/services-env';
import { placeOn } from '../support/shard-fixtures';
import { atomic } from '../support/stock-fixtures';

// `npm run tenant:move` and `npm run feature` are `nest build && node dist/cli/<name>.js`:
// as in migration-cli.e2e-spec.ts, the test runs the second half on the build the
// process suites share, against databases of its own with two MySQL shards, while a
// server (in this process) serves the same databases and the same Redis.

const ROOT = resolve(__dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');

describe('the operator commands, run as processes: npm run tenant:move and npm run feature', () => {
  let dist: string;
  let vars: Record<string, string>;
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    dist = dirname(await buildServer());
    const own = await ownDatabases();
    drop = own.drop;
    vars = { ...servicesEnv(), ...own.env };
    t = await bootApp(own.env);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  /** The command as its script runs it, with only the profile's variables (and PATH). */
  const command = (name: string, args: string[]) => run(NODE, [join(dist, `cli/${name}.js`), ...args], { env: { PATH: process.env.PATH, ...vars } });
  const rowsOf = async (shard: string, table: string, tenantId: string) =>
    Number((await (await t.app.get(ShardRegistry).dataSource(shard)).query(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`, [tenantId]))[0].n);
  const productNames = async (shop: Shop) => (await t.request('GET', '/api/v1/products?sort=name', { token: shop.accessToken })).body.data.map((p: any) => p.attributes.name);

  it('are the build, then the commands this test runs', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect([scripts['tenant:move'], scripts.feature]).toEqual(['nest build && node dist/cli/tenant-move.js', 'nest build && node dist/cli/feature.js']);
  });

  it("moves a tenant from shard a to b while the server runs: the catalog points at b, b serves its data, and --drop-copy empties a", async () => {
    const [shop, neighbour] = [await newShop(t), await newShop(t)];
    for (const s of [shop, neighbour]) await placeOn(t, s.tenantId, 'a');
    await create(t, shop.accessToken, 'products', flower('Moved rose'));
    await create(t, neighbour.accessToken, 'products', flower('Staying rose'));

    const moved = await command('tenant-move', [shop.tenantId, 'b']);
    expect(moved).toMatchObject({ status: 0, stderr: '' });
    expect(moved.stdout).toMatch(new RegExp(`^tenant ${shop.tenantId}: writes paused[^\\n]*\\n(?:.*\\n)*moved tenant ${shop.tenantId} from a to b: \\d+ rows verified\\n$`));
    expect([await shardOf(t, shop.tenantId), await shardOf(t, neighbour.tenantId)]).toEqual(['b', 'a']);
    // The server learns of the move at the next request (the command moves the tenant's principal version in Redis): it writes to b.
    await create(t, shop.accessToken, 'products', flower('Rose after the move'));
    expect(await productNames(shop)).toEqual(['Moved rose', 'Rose after the move']);
    expect([await rowsOf('b', 'products', shop.tenantId), await rowsOf('a', 'products', shop.tenantId)]).toEqual([2, 1]);

    const dropped = await command('tenant-move', [shop.tenantId, '--drop-copy', 'a']);
    expect(dropped).toMatchObject({ status: 0, stderr: '' });
    expect(dropped.stdout).toMatch(new RegExp(`^deleted [1-9]\\d* rows of tenant ${shop.tenantId} from shard a\\n$`));
    expect([await rowsOf('a', 'products', shop.tenantId), await rowsOf('b', 'products', shop.tenantId), await rowsOf('a', 'products', neighbour.tenantId)]).toEqual([0, 2, 1]);
    expect(await productNames(shop)).toEqual(['Moved rose', 'Rose after the move']);

    const resumed = await command('tenant-move', [shop.tenantId, '--resume']);
    expect(resumed).toEqual({ status: 0, signal: null, stdout: `tenant ${shop.tenantId}: writes open again on shard b\n`, stderr: '' });
  });

  it('refuses bad arguments with one line and exit code 1, moving nothing', async () => {
    const shop = await newShop(t);
    await placeOn(t, shop.tenantId, 'a');
    const usage = /^bloomdesk: usage: npm run tenant:move -- .+\n$/;
    const cases: Array<[string[], RegExp]> = [
      [[], usage],
      [[shop.tenantId], usage],
      [[shop.tenantId, '--drop-copy'], usage],
      [[shop.tenantId, '--to', 'b'], usage],
      [[shop.tenantId, 'c'], /^bloomdesk: No shard "c" in SHARD_DATABASE_URLS \(known: a, b\)\n$/],
      [[shop.tenantId, 'a'], new RegExp(`^bloomdesk: Tenant ${shop.tenantId} is already on shard a\\n$`)],
      [[shop.tenantId, '--drop-copy', 'a'], new RegExp(`^bloomdesk: Shard a is where tenant ${shop.tenantId} lives; refusing to drop its data\\n$`)],
      [[uuid7(), 'b'], /^bloomdesk: No tenant [0-9a-f-]{36}\n$/],
    ];
    for (const [args, stderr] of cases) {
      const result = await command('tenant-move', args);
      expect({ args, status: result.status, stdout: result.stdout, stderr: stderr.test(result.stderr) ? 'as expected' : result.stderr }).toEqual({ args, status: 1, stdout: '', stderr: 'as expected' });
    }
    expect(await shardOf(t, shop.tenantId)).toBe('a');
    expect((await create(t, shop.accessToken, 'products', flower('Not moved'))).attributes.name).toBe('Not moved');

    // Arguments are checked before any database is opened: with the catalog unreachable, a
    // mistyped command still answers its usage, not a connection error.
    const unreachable = { ...vars, CATALOG_DATABASE_URL: 'mysql://root@127.0.0.1:9/nowhere' };
    for (const args of [[], [shop.tenantId, '--drop-copy'], [shop.tenantId, '--resume', 'a'], [shop.tenantId, 'b', 'c']]) {
      const result = await run(NODE, [join(dist, 'cli/tenant-move.js'), ...args], { env: { PATH: process.env.PATH, ...unreachable } });
      expect({ args, status: result.status, usage: usage.test(result.stderr) ? 'shown' : result.stderr }).toEqual({ args, status: 1, usage: 'shown' });
    }
    const opened = await run(NODE, [join(dist, 'cli/tenant-move.js'), shop.tenantId, '--resume'], { env: { PATH: process.env.PATH, ...unreachable } });
    expect(opened.status).toBe(1);
    expect(opened.stderr).not.toMatch(usage);
  });

  it("switches a flag on for one tenant, listed and in force at the server's next request, then off again; refuses an unknown flag", async () => {
    const [shop, other] = [await newShop(t), await newShop(t)];
    const listing = (on: string[]) => FEATURES.map((flag) => `${flag}: ${on.includes(flag) ? 'on' : 'off'}`).join('\n') + '\n';
    // One operation more than a batch may hold without the flag; each is refused, so nothing is written either way.
    const batch = Array.from({ length: MAX_OPERATIONS + 1 }, () => ({ op: 'none' }));
    const refusedAt = async (s: Shop) => (await atomic(t, s.accessToken, batch)).body.errors[0].source.pointer;
    const tooMany = '/atomic:operations';
    const firstOperation = '/atomic:operations/0/op';
    expect([await refusedAt(shop), await refusedAt(other)]).toEqual([tooMany, tooMany]);

    expect(await command('feature', [shop.tenantId])).toMatchObject({ status: 0, stdout: listing([]), stderr: '' });
    expect(await command('feature', [shop.tenantId, Feature.LargeSyncBatches, 'on'])).toMatchObject({ status: 0, stdout: listing([Feature.LargeSyncBatches]), stderr: '' });
    expect(await command('feature', [other.tenantId])).toMatchObject({ status: 0, stdout: listing([]) });
    expect([await refusedAt(shop), await refusedAt(other)]).toEqual([firstOperation, tooMany]);

    expect(await command('feature', [shop.tenantId, Feature.LargeSyncBatches, 'off'])).toMatchObject({ status: 0, stdout: listing([]), stderr: '' });
    expect(await refusedAt(shop)).toBe(tooMany);

    const unknown = await command('feature', [shop.tenantId, 'larg-sync-batches', 'on']);
    expect(unknown).toMatchObject({ status: 1, stdout: '', stderr: `bloomdesk: Unknown flag "larg-sync-batches"; known: ${FEATURES.join(', ')}\n` });
    expect(await command('feature', [shop.tenantId, Feature.LargeSyncBatches, 'yes'])).toMatchObject({ status: 1, stdout: '', stderr: 'bloomdesk: usage: npm run feature -- <tenant-id> [<flag> on|off]\n' });
    expect(await command('feature', [uuid7(), Feature.LargeSyncBatches, 'on'])).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/^bloomdesk: No tenant [0-9a-f-]{36}\n$/) });
    expect(await command('feature', [shop.tenantId])).toMatchObject({ status: 0, stdout: listing([]) });
  });
});
