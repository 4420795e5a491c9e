import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import type { RequestContext } from '../tenancy/request-context';
import { closeFence, openFence } from '../tenancy/tenant-fence';
import { dataSourceOptions } from './data-source-options';
import { ShardRegistry } from './shard-registry';

// Each case migrates two SQLite shards for real (every migration, the file written
// after each): seconds on a loaded two-core machine, more than the unit default of 5.
jest.setTimeout(30_000);

describe(ShardRegistry.name, () => {
  let dir: string;
  let config: AppConfig;
  let sut: ShardRegistry;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bloomdesk-shards-'));
    const shard = (id: string) => ({ id, target: { kind: 'sqljs' as const, file: join(dir, `${id}.sqlite`) } });
    config = { shards: [shard('a'), shard('b')], poolSize: 2 } as AppConfig;
    sut = new ShardRegistry(config);
  });
  afterEach(async () => {
    await sut.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const tablesOf = async (id: string) => {
    const probe = new DataSource(dataSourceOptions(config.shards.find((s) => s.id === id)!.target, 'shard'));
    await probe.initialize();
    try {
      return (await probe.query("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r: { name: string }) => r.name);
    } finally {
      await probe.destroy();
    }
  };

  it('migrates every shard at start without keeping a pool open', async () => {
    await sut.migrateAll();
    expect(sut.openIds()).toEqual([]);
    for (const id of ['a', 'b']) await expect(tablesOf(id)).resolves.toEqual(expect.arrayContaining(['stores', 'tenant_fences', 'migrations']));
  });

  it("opens exactly the shard of the first tenant's context, once", async () => {
    await sut.migrateAll();
    const [first, again] = await Promise.all([sut.forTenant({ shardId: 'b' }), sut.forTenant({ shardId: 'b' })]);
    expect(first).toBe(again);
    expect(sut.openIds()).toEqual(['b']);
  });

  it('refuses a tenant’s transactions while its fence is closed, and only that tenant’s', async () => {
    const ds = await sut.forTenant({ shardId: 'a' });
    const write = (tenantId: string) => sut.transaction({ shardId: 'a', tenantId }, async (txCtx) => ('tx' in txCtx ? 'written' : 'no transaction'));
    await expect(write('tenant-1')).resolves.toBe('written');
    await closeFence(ds, 'tenant-1');
    await expect(write('tenant-1')).rejects.toMatchObject({ code: 'tenant-moving' });
    // Reading the copy a move left behind needs no fence.
    await expect(sut.transaction({ shardId: 'a', tenantId: 'tenant-1' }, async () => 'read', { readOnly: true })).resolves.toBe('read');
    await expect(write('tenant-2')).resolves.toBe('written');
    await openFence(ds, 'tenant-1');
    await expect(write('tenant-1')).resolves.toBe('written');
  });

  describe('before-commit hooks', () => {
    const tenant: Pick<RequestContext, 'shardId' | 'tenantId' | 'tx' | 'afterCommit' | 'beforeCommit'> = { shardId: 'a', tenantId: 'tenant-1' };
    const notes = async () => ((await (await sut.forTenant({ shardId: 'a' })).query('SELECT body FROM notes ORDER BY body')) as Array<{ body: string }>).map((r) => r.body);
    beforeEach(async () => {
      await (await sut.forTenant({ shardId: 'a' })).query('CREATE TABLE notes (body TEXT NOT NULL)');
    });

    it('run after the work, in its transaction, in order (one a hook adds too), and the transaction commits', async () => {
      const ran: string[] = [];
      await sut.transaction(tenant, async (txCtx) => {
        await sut.beforeCommit(txCtx, async () => {
          ran.push(`first sees ${(await txCtx.tx!.query('SELECT COUNT(*) AS n FROM notes'))[0].n} note`);
          await sut.beforeCommit(txCtx, async () => ran.push('added by the first'));
        });
        await sut.beforeCommit(txCtx, async () => ran.push('second'));
        await txCtx.tx!.query("INSERT INTO notes (body) VALUES ('written')");
      });
      expect(ran).toEqual(['first sees 1 note', 'second', 'added by the first']);
      await expect(notes()).resolves.toEqual(['written']);
    });

    it('roll everything back when one throws, and the transaction answers its error', async () => {
      const write = sut.transaction(tenant, async (txCtx) => {
        await txCtx.tx!.query("INSERT INTO notes (body) VALUES ('doomed')");
        await sut.beforeCommit(txCtx, async () => {
          throw new Error('payments do not add up');
        });
        return 'done';
      });
      await expect(write).rejects.toThrow('payments do not add up');
      await expect(notes()).resolves.toEqual([]);
    });

    it('run at once outside a transaction', async () => {
      const ran: string[] = [];
      await sut.beforeCommit({}, async () => ran.push('now'));
      expect(ran).toEqual(['now']);
    });
  });
});
