import { DecryptionCache } from './decryption-cache';
import type { EncryptionProvider } from './encryption.provider';
import { SecretsError } from './secrets.errors';

/** A provider that "decrypts" by stripping a tenant prefix, and counts its calls. */
function fakeProvider() {
  const calls: string[][] = [];
  const provider: EncryptionProvider = {
    kind: 'vault-transit',
    encrypt: async (tenant, values) => values.map((v) => `${tenant}:${v}`),
    decrypt: async (tenant, values) => {
      calls.push([...values]);
      return values.map((v, i) => {
        if (!v.startsWith(`${tenant}:`)) throw SecretsError.ciphertextInvalid(i);
        return v.slice(tenant.length + 1);
      });
    },
    blindIndex: async (_scope, values) => [...values],
    health: async () => ({ up: true }),
    latestVersion: async () => 1,
    rewrap: async (_tenant, values) => [...values],
  };
  return { provider, calls };
}

describe(DecryptionCache.name, () => {
  it('asks the provider once for a page read twice, and only for the misses of a mixed batch', async () => {
    const { provider, calls } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    await expect(sut.decrypt('t1', ['t1:a', 't1:b'])).resolves.toEqual(['a', 'b']);
    await expect(sut.decrypt('t1', ['t1:a', 't1:b'])).resolves.toEqual(['a', 'b']);
    await expect(sut.decrypt('t1', ['t1:c', 't1:a'])).resolves.toEqual(['c', 'a']);
    expect(calls).toEqual([['t1:a', 't1:b'], ['t1:c']]);
  });

  it('never serves one tenant a plaintext cached for another', async () => {
    const { provider } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    await sut.decrypt('t1', ['t1:secret']);
    await expect(sut.decrypt('t2', ['t1:secret'])).rejects.toThrow(SecretsError);
  });

  it('names the failing item by its place in the caller’s batch', async () => {
    const { provider } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    await sut.decrypt('t1', ['t1:a']);
    await expect(sut.decrypt('t1', ['t1:a', 't1:b', 'forged'])).rejects.toMatchObject({ meta: { index: 2 } });
  });

  it('forgets the least recently used and anything past its time', async () => {
    const { provider, calls } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 2, ttlMs: 60_000 });
    await sut.decrypt('t1', ['t1:a', 't1:b']);
    await sut.decrypt('t1', ['t1:a']);
    await sut.decrypt('t1', ['t1:c']);
    await sut.decrypt('t1', ['t1:a', 't1:b']);
    expect(calls.at(-1)).toEqual(['t1:b']);

    const expiring = new DecryptionCache(fakeProvider().provider, { maxEntries: 10, ttlMs: -1 });
    await expiring.decrypt('t1', ['t1:a']);
    await expiring.decrypt('t1', ['t1:a']);
    expect(expiring.misses).toBe(2);
  });
});
