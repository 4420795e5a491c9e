import { DecryptionCache } from './decryption-cache';
import type { EncryptionProvider } from './encryption.provider';
import { SecretsError } from './secrets.errors';

/**
 * A provider whose "ciphertext" is `vault:v<N>:<tenant>:<plaintext>`; it counts its
 * decrypt calls and refuses versions below its minimum, as Vault does.
 */
function fakeProvider() {
  const calls: string[][] = [];
  const key = { latest: 1, minDecryption: 1 };
  const provider: EncryptionProvider = {
    kind: 'vault-transit',
    encrypt: async (tenant, values) => values.map((v) => `vault:v${key.latest}:${tenant}:${v}`),
    decrypt: async (tenant, values) => {
      calls.push([...values]);
      return values.map((v, i) => {
        const match = /^vault:v(\d+):([^:]+):(.*)$/.exec(v);
        if (!match || match[2] !== tenant || Number(match[1]) < key.minDecryption) throw SecretsError.ciphertextInvalid(i);
        return match[3];
      });
    },
    blindIndex: async (_scope, values) => [...values],
    health: async () => ({ up: true }),
    keyVersions: async () => ({ ...key }),
    rewrap: async (_tenant, values) => [...values],
  };
  return { provider, calls, key };
}

const ct = (tenant: string, plaintext: string, version = 1) => `vault:v${version}:${tenant}:${plaintext}`;

describe(DecryptionCache.name, () => {
  it('asks the provider once for a page read twice, and only for the misses of a mixed batch', async () => {
    const { provider, calls } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    await expect(sut.decrypt('t1', [ct('t1', 'a'), ct('t1', 'b')])).resolves.toEqual(['a', 'b']);
    await expect(sut.decrypt('t1', [ct('t1', 'a'), ct('t1', 'b')])).resolves.toEqual(['a', 'b']);
    await expect(sut.decrypt('t1', [ct('t1', 'c'), ct('t1', 'a')])).resolves.toEqual(['c', 'a']);
    expect(calls).toEqual([[ct('t1', 'a'), ct('t1', 'b')], [ct('t1', 'c')]]);
  });

  it('never serves one tenant a plaintext cached for another', async () => {
    const { provider } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    await sut.decrypt('t1', [ct('t1', 'secret')]);
    await expect(sut.decrypt('t2', [ct('t1', 'secret')])).rejects.toThrow(SecretsError);
  });

  it('names the failing item by its place in the caller’s batch', async () => {
    const { provider } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    await sut.decrypt('t1', [ct('t1', 'a')]);
    await expect(sut.decrypt('t1', [ct('t1', 'a'), ct('t1', 'b'), 'forged'])).rejects.toMatchObject({ meta: { index: 2 } });
  });

  it('forgets the least recently used and anything past its time', async () => {
    const { provider, calls } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 2, ttlMs: 60_000 });
    await sut.decrypt('t1', [ct('t1', 'a'), ct('t1', 'b')]);
    await sut.decrypt('t1', [ct('t1', 'a')]);
    await sut.decrypt('t1', [ct('t1', 'c')]);
    await sut.decrypt('t1', [ct('t1', 'a'), ct('t1', 'b')]);
    expect(calls.at(-1)).toEqual([ct('t1', 'b')]);

    const expiring = new DecryptionCache(fakeProvider().provider, { maxEntries: 10, ttlMs: -1 });
    await expiring.decrypt('t1', [ct('t1', 'a')]);
    await expiring.decrypt('t1', [ct('t1', 'a')]);
    expect(expiring.misses).toBe(2);
  });

  it('makes room a tenth at a time, oldest first, keeping the most recently used', async () => {
    const { provider, calls } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 10, ttlMs: 60_000 });
    const values = Array.from({ length: 11 }, (_, i) => ct('t1', `v${i}`));
    await sut.decrypt('t1', values.slice(0, 10));
    await sut.decrypt('t1', [values[0]]); // v0 is now the youngest
    await sut.decrypt('t1', [values[10]]); // 11 > 10: down to 9, dropping v1 and v2
    calls.length = 0;
    await sut.decrypt('t1', [values[0], ...values.slice(3)]);
    expect(calls).toEqual([]);
    await sut.decrypt('t1', values.slice(1, 3));
    expect(calls).toEqual([values.slice(1, 3)]);
  });

  it('remembers what it encrypted, so reading back a write asks the provider nothing', async () => {
    const { provider, calls } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000, maxPlaintextLength: 10 });
    const sealed = await sut.encrypt('t1', ['phone', 'e-mail', 'a long stored answer']);
    await expect(sut.decrypt('t1', sealed.slice(0, 2))).resolves.toEqual(['phone', 'e-mail']);
    expect(calls).toEqual([]);
    // Not kept: longer than maxPlaintextLength.
    await expect(sut.decrypt('t1', [sealed[2]])).resolves.toEqual(['a long stored answer']);
    expect(calls).toEqual([[sealed[2]]]);
    // Nor for another tenant.
    await expect(sut.decrypt('t2', [sealed[0]])).rejects.toThrow(SecretsError);
  });

  it('stops serving plaintexts of versions below a raised minimum decryption version', async () => {
    const { provider, calls, key } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000 });
    const [old] = await sut.encrypt('t1', ['old']);
    key.latest = 2;
    const [fresh] = await sut.encrypt('t1', ['fresh']);
    key.minDecryption = 2; // keys:raise-min-version, in another process
    await expect(sut.decrypt('t1', [old])).resolves.toEqual(['old']); // not known yet

    await expect(sut.keyVersions()).resolves.toEqual({ latest: 2, minDecryption: 2 }); // the rewrap job's look

    await expect(sut.decrypt('t1', [fresh])).resolves.toEqual(['fresh']);
    await expect(sut.decrypt('t1', [fresh, old])).rejects.toMatchObject({ meta: { index: 1 } });
    expect(calls).toEqual([[old]]);
  });

  it('reads the minimum decryption version again by itself, without holding up the read', async () => {
    const { provider, key } = fakeProvider();
    const sut = new DecryptionCache(provider, { maxEntries: 100, ttlMs: 60_000, versionCheckMs: 0 });
    const [old] = await sut.encrypt('t1', ['old']);
    key.latest = 2;
    key.minDecryption = 2;
    const versions = jest.spyOn(provider, 'keyVersions');
    await expect(sut.decrypt('t1', [old])).resolves.toEqual(['old']);
    expect(versions).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(sut.decrypt('t1', [old])).rejects.toThrow(SecretsError);
  });
});
