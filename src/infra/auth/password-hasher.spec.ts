import { PasswordHasher } from './password-hasher';

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it('verifies the password it hashed and rejects another', async () => {
    const stored = await sut.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    await expect(sut.verify('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(sut.verify('correct horse battery stapl', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([sut.hash('same'), sut.hash('same')]);
    expect(a).not.toBe(b);
  });

  it('rejects stored values of another scheme', async () => {
    await expect(sut.verify('x', 'md5$abc')).resolves.toBe(false);
  });
});
