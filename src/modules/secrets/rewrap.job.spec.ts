import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import type { CatalogDatabase } from '../../infra/database/catalog-database';
import type { ShardRegistry } from '../../infra/database/shard-registry';
import { closeFence, openFence } from '../../infra/tenancy/tenant-fence';
import { ciphertextTables } from './ciphertext-columns';
import { CiphertextRepository } from './ciphertext.repository';
import { keyringPath, rotateKeyring } from './local-keyring.file';
import { LocalKeyringProvider } from './local-keyring.provider';
import { BlindIndexBackfill } from './blind-index-backfill';
import { RewrapJob } from './rewrap.job';
import { SecretsMetrics } from './secrets.metrics';

@Entity('notes')
class Note {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' }) tenantId: string;
  @PrimaryColumn({ type: 'varchar' }) id: string;
  @Column({ name: 'body_ciphertext', type: 'text', nullable: true }) bodyCiphertext: string | null;
  @Column({ name: 'title_ciphertext', type: 'text' }) titleCiphertext: string;
  @Column({ name: 'updated_at', type: 'varchar' }) updatedAt: string;
}

@Entity('orphans')
class Orphan {
  @PrimaryColumn({ type: 'varchar' }) id: string;
  @Column({ name: 'secret_ciphertext', type: 'text' }) secretCiphertext: string;
}

const TENANT_A = '0190a1b2-0000-7000-8000-00000000000a';
const TENANT_B = '0190a1b2-0000-7000-8000-00000000000b';
const id = (n: number) => `row-${String(n).padStart(4, '0')}`;

describe(RewrapJob.name, () => {
  let dataDir: string;
  let db: DataSource;
  let provider: LocalKeyringProvider;
  let metrics: SecretsMetrics;
  let sut: RewrapJob;

  const rows = () => db.query('SELECT * FROM notes ORDER BY tenant_id, id') as Promise<Array<Record<string, string | null>>>;

  beforeEach(async () => {
    for (const level of ['log', 'warn'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    dataDir = mkdtempSync(join(tmpdir(), 'bloomdesk-rewrap-'));
    provider = new LocalKeyringProvider({ env: 'test', dataDir });
    db = new DataSource({ type: 'sqljs', entities: [Note], synchronize: true });
    await db.initialize();
    metrics = new SecretsMetrics();
    const catalog = { dataSource: db } as CatalogDatabase;
    const shards = { ids: () => [] } as unknown as ShardRegistry;
    sut = new RewrapJob({ keyRewrapIntervalSeconds: 0 } as AppConfig, catalog, shards, provider, new CiphertextRepository(), metrics, new BlindIndexBackfill(provider));
  });

  afterEach(async () => {
    await sut.onModuleDestroy();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  async function seed(tenantId: string, count: number, body: (n: number) => string | null = (n) => `body ${n}`, into = db) {
    const titles = await provider.encrypt(tenantId, Array.from({ length: count }, (_, n) => `title ${n}`));
    const bodies = await provider.encrypt(tenantId, Array.from({ length: count }, (_, n) => body(n) ?? ''));
    const notes = titles.map((title, n) => ({ tenantId, id: id(n), titleCiphertext: title, bodyCiphertext: body(n) === null ? null : bodies[n], updatedAt: 'unchanged' }));
    for (let i = 0; i < notes.length; i += 100) await into.getRepository(Note).insert(notes.slice(i, i + 100));
  }

  it('finds encrypted columns by their _ciphertext suffix and refuses a table without tenant_id first in its key', async () => {
    expect(ciphertextTables(db)).toEqual([{ table: 'notes', tenantColumn: 'tenant_id', keyColumns: ['id'], columns: ['body_ciphertext', 'title_ciphertext'] }]);
    const orphans = new DataSource({ type: 'sqljs', entities: [Orphan] });
    await orphans.initialize();
    expect(() => ciphertextTables(orphans)).toThrow('orphans has encrypted columns but its primary key does not start with tenant_id');
    await orphans.destroy();
  });

  it('moves every value to the new version per tenant in calls of at most 200, leaving updated_at alone', async () => {
    await seed(TENANT_A, 250, (n) => (n % 10 === 0 ? null : `body ${n}`));
    await seed(TENANT_B, 3);
    rotateKeyring(keyringPath(dataDir));
    const rewrap = jest.spyOn(provider, 'rewrap');

    const report = await sut.runOnce();

    const calls = rewrap.mock.calls.map(([tenant, values]) => [tenant, values.length]);
    // 100 rows a page (two encrypted columns); 25 of tenant A's bodies are null.
    expect(calls).toEqual([[TENANT_A, 190], [TENANT_A, 190], [TENANT_A, 95], [TENANT_B, 6]]);
    expect(report).toEqual({
      keyVersion: 2,
      retry: false,
      databases: [{ database: 'catalog', pendingBefore: 481, rewrapped: 481, failed: 0, pendingAfter: 0, outcome: 'complete' }],
    });
    const after = await rows();
    expect(after.every((r) => r.title_ciphertext!.startsWith('local:v2:') && (r.body_ciphertext === null || r.body_ciphertext.startsWith('local:v2:')))).toBe(true);
    expect(after.every((r) => r.updated_at === 'unchanged')).toBe(true);
    const titles = await provider.decrypt(TENANT_A, after.filter((r) => r.tenant_id === TENANT_A).map((r) => r.title_ciphertext!));
    expect(titles).toEqual(Array.from({ length: 250 }, (_, n) => `title ${n}`));
    expect((await metrics.rewrapped.get()).values).toEqual([{ labels: { database: 'catalog' }, value: 481 }]);
    expect((await metrics.rewrapPending.get()).values).toEqual([{ labels: { database: 'catalog' }, value: 0 }]);
  });

  it('resumes after a crash from what is still on the old version, with no progress kept anywhere', async () => {
    await seed(TENANT_A, 250);
    rotateKeyring(keyringPath(dataDir));
    const rewrap = jest.spyOn(provider, 'rewrap');
    rewrap.mockImplementationOnce((tenant, values) => LocalKeyringProvider.prototype.rewrap.call(provider, tenant, values));
    rewrap.mockRejectedValueOnce(new Error('the process died here'));

    const crashed = await sut.runOnce();
    expect(crashed.databases[0]).toMatchObject({ rewrapped: 200, outcome: 'error' });
    expect(crashed.retry).toBe(true);
    const halfway = await rows();
    expect(halfway.filter((r) => r.title_ciphertext!.startsWith('local:v2:'))).toHaveLength(100);

    rewrap.mockClear();
    const resumed = await sut.runOnce();
    expect(resumed.databases[0]).toMatchObject({ pendingBefore: 300, rewrapped: 300, pendingAfter: 0, outcome: 'complete' });
    expect(rewrap.mock.calls.map(([, values]) => values.length)).toEqual([200, 100]);
  });

  it('leaves a value that does not decrypt as it is, counts it, and moves the rest', async () => {
    await seed(TENANT_A, 5);
    const [foreign] = await provider.encrypt(TENANT_B, ['tenant B wrote this']);
    await db.query('UPDATE notes SET body_ciphertext = ? WHERE id = ?', [foreign, id(3)]);
    rotateKeyring(keyringPath(dataDir));
    const warn = jest.spyOn(Logger.prototype, 'warn');

    const report = await sut.runOnce();

    expect(report.databases[0]).toMatchObject({ rewrapped: 9, failed: 1, pendingAfter: 1, outcome: 'failures' });
    expect(report.retry).toBe(false);
    expect((await rows()).find((r) => r.id === id(3))!.body_ciphertext).toBe(foreign);
    const logged = warn.mock.calls.flat().join('\n');
    expect(logged).toContain(`tenant ${TENANT_A} row ${id(3)}`);
    expect(logged).not.toContain(foreign.slice(10));
    expect((await metrics.rewrapFailed.get()).values).toEqual([{ labels: { database: 'catalog' }, value: 1 }]);
  });

  it('does not overwrite a value a user changed while the page was being rewrapped', async () => {
    await seed(TENANT_A, 2);
    rotateKeyring(keyringPath(dataDir));
    await provider.keyVersions(); // the provider sees v2, as it would after the job's first look
    const [written] = await provider.encrypt(TENANT_A, ['written by a user meanwhile']);
    jest.spyOn(provider, 'rewrap').mockImplementationOnce(async (tenant, values) => {
      await db.query('UPDATE notes SET title_ciphertext = ? WHERE id = ?', [written, id(0)]);
      return LocalKeyringProvider.prototype.rewrap.call(provider, tenant, values);
    });

    const report = await sut.runOnce();

    expect((await rows()).find((r) => r.id === id(0))!.title_ciphertext).toBe(written);
    expect(report.databases[0]).toMatchObject({ rewrapped: 3, pendingAfter: 0, outcome: 'complete' });
  });

  it('passes again when values on the old version were written during the pass', async () => {
    await seed(TENANT_A, 2);
    rotateKeyring(keyringPath(dataDir));
    const [stale] = await provider.encrypt(TENANT_A, ['encrypted before the provider saw v2']);
    jest.spyOn(provider, 'rewrap').mockImplementationOnce(async (tenant, values) => {
      await db.query('UPDATE notes SET title_ciphertext = ? WHERE id = ?', [stale, id(1)]);
      return LocalKeyringProvider.prototype.rewrap.call(provider, tenant, values);
    });
    const first = await sut.runOnce();
    expect(first.databases[0]).toMatchObject({ pendingAfter: 1, outcome: 'unfinished' });
    expect(first.retry).toBe(true);
    const second = await sut.runOnce();
    expect(second.databases[0]).toMatchObject({ rewrapped: 1, pendingAfter: 0, outcome: 'complete' });
  });

  it('leaves the rows of a tenant whose move fence is closed on a shard as they are, moves the others, and takes them once it opens', async () => {
    const shard = new DataSource({ type: 'sqljs', entities: [Note], synchronize: true });
    await shard.initialize();
    try {
      await shard.query('CREATE TABLE tenant_fences (tenant_id varchar(36) PRIMARY KEY, state varchar(16) NOT NULL, updated_at datetime NOT NULL)');
      const shards = { ids: () => ['s1'], dataSource: async () => shard } as unknown as ShardRegistry;
      const job = new RewrapJob({ keyRewrapIntervalSeconds: 0 } as AppConfig, { dataSource: db } as CatalogDatabase, shards, provider, new CiphertextRepository(), metrics, new BlindIndexBackfill(provider));
      await seed(TENANT_A, 3, undefined, shard);
      await seed(TENANT_B, 2, undefined, shard);
      await closeFence(shard, TENANT_A);
      rotateKeyring(keyringPath(dataDir));
      const versions = async () =>
        ((await shard.query('SELECT tenant_id, title_ciphertext, body_ciphertext FROM notes ORDER BY tenant_id, id')) as Array<Record<string, string>>).map(
          (r) => `${r.tenant_id === TENANT_A ? 'A' : 'B'} ${r.title_ciphertext.slice(0, 9)} ${r.body_ciphertext.slice(0, 9)}`,
        );

      const fenced = await job.runOnce();
      expect(await versions()).toEqual(['A local:v1: local:v1:', 'A local:v1: local:v1:', 'A local:v1: local:v1:', 'B local:v2: local:v2:', 'B local:v2: local:v2:']);
      expect(fenced.databases[1]).toEqual({ database: 'shard:s1', pendingBefore: 10, rewrapped: 4, failed: 0, pendingAfter: 6, outcome: 'unfinished' });
      expect(fenced.retry).toBe(true);

      await openFence(shard, TENANT_A);
      const opened = await job.runOnce();
      expect(opened.databases[1]).toMatchObject({ rewrapped: 6, pendingAfter: 0, outcome: 'complete' });
      expect((await versions()).every((v) => v.endsWith('local:v2: local:v2:'))).toBe(true);
      await job.onModuleDestroy();
    } finally {
      await shard.destroy();
    }
  });

  it('stops between pages when the server shuts down', async () => {
    await seed(TENANT_A, 150);
    rotateKeyring(keyringPath(dataDir));
    jest.spyOn(provider, 'rewrap').mockImplementationOnce(async (tenant, values) => {
      void sut.onModuleDestroy();
      return LocalKeyringProvider.prototype.rewrap.call(provider, tenant, values);
    });
    const report = await sut.runOnce();
    expect(report.databases[0]).toMatchObject({ rewrapped: 200, outcome: 'interrupted' });
    expect(report.retry).toBe(true);
  });
});
