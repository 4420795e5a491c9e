import type { AppConfig } from '../../config/app-config';
import type { RedisConnection } from '../cache/redis-connection';
import { VersionOutbox } from '../cache/version-outbox';
import { VersionStore } from '../cache/version-store';
import type { CatalogDatabase } from '../database/catalog-database';
import type { ShardRegistry } from '../database/shard-registry';
import { PrincipalCache } from './principal-cache';
import { PrincipalVersions } from './principal-versions';

const tenant = '01a2142f-0000-7000-8000-000000000001';

describe(PrincipalCache.name, () => {
  // Versions in process, as on the embedded profile.
  const store = new VersionStore({ client: null, ready: false } as unknown as RedisConnection);
  const outbox = new VersionOutbox({ cacheOutboxPollMs: 1000 } as AppConfig, store, { dataSource: {} } as CatalogDatabase, {} as ShardRegistry);
  const versions = new PrincipalVersions(outbox);
  const sut = new PrincipalCache(outbox, store);

  const loader = (validUntil = Infinity) => {
    let loads = 0;
    return {
      get loads() {
        return loads;
      },
      load: async () => ({ value: { n: ++loads }, validUntil }),
    };
  };

  it('answers from memory until the user’s or the tenant’s version moves', async () => {
    const l = loader();
    const resolve = () => sut.resolve('s:1', tenant, 'user-1', l.load);
    expect([await resolve(), await resolve()]).toEqual([{ n: 1 }, { n: 1 }]);
    await versions.touchUser(undefined, tenant, 'user-1');
    expect(await resolve()).toEqual({ n: 2 });
    await versions.touchUser(undefined, tenant, 'user-2');
    expect(await resolve()).toEqual({ n: 2 });
    await versions.touchTenant(undefined, tenant);
    expect(await resolve()).toEqual({ n: 3 });
    expect(l.loads).toBe(3);
  });

  it('never answers past the credential’s end, and remembers no refusal', async () => {
    const ended = loader(Date.now() - 1);
    await sut.resolve('s:2', tenant, 'user-1', ended.load);
    await sut.resolve('s:2', tenant, 'user-1', ended.load);
    expect(ended.loads).toBe(2);
    let answer: { value: string; validUntil: number } | null = null;
    expect(await sut.resolve('s:3', tenant, 'user-1', async () => answer)).toBeNull();
    answer = { value: 'back', validUntil: Infinity };
    expect(await sut.resolve('s:3', tenant, 'user-1', async () => answer)).toBe('back');
  });

  it('holds a bounded number of credentials, dropping the least recently used', async () => {
    const bounded = new PrincipalCache(outbox, store);
    const l = loader();
    await bounded.resolve('s:hot', tenant, 'user-9', l.load);
    for (let i = 0; i < 20_000; i++) {
      await bounded.resolve(`s:cold-${i}`, tenant, 'user-9', l.load);
      if (i % 5000 === 0) await bounded.resolve('s:hot', tenant, 'user-9', l.load);
    }
    const loads = l.loads;
    for (const kept of ['s:hot', 's:cold-1', 's:cold-19999']) await bounded.resolve(kept, tenant, 'user-9', l.load);
    expect(l.loads).toBe(loads);
    await bounded.resolve('s:cold-0', tenant, 'user-9', l.load);
    expect(l.loads).toBe(loads + 1);
  });
});
