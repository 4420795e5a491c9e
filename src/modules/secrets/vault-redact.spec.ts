import { redact, vaultErrorMessages } from './vault-redact';

describe(redact.name, () => {
  it.each([
    ['a Vault token', 'bad token hvs.CAESIGx1Y2t5X3Rva2VuX3ZhbHVl', 'bad token [redacted]'],
    ['a legacy token', 'token s.AbCdEfGh12345678 expired', 'token [redacted] expired'],
    ['a secret id', 'secret id 6d2a1c9e-8f5b-4a7d-9e3c-1b2a3c4d5e6f invalid', 'secret id [redacted] invalid'],
    ['a ciphertext', 'cannot decrypt vault:v1:abc/DEF+ghi= now', 'cannot decrypt [redacted] now'],
    ['a long opaque run', 'value QUJDREVGR0hJSktMTU5PUFFSU1RVVldY', 'value [redacted]'],
  ])('hides %s', (_what, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('hides known secrets of any shape and keeps ordinary messages readable', () => {
    expect(redact('permission denied for bloomdesk-dev-root', ['bloomdesk-dev-root'])).toBe('permission denied for [redacted]');
    expect(redact('1 error occurred:\n\t* permission denied\n\n')).toBe('1 error occurred: * permission denied');
    expect(redact('encryption key not found')).toBe('encryption key not found');
  });

  it('reads only string entries of an errors array', () => {
    expect(vaultErrorMessages({ errors: ['a', 2, 'b'] })).toEqual(['a', 'b']);
    expect(vaultErrorMessages({ data: { secret: 'x' } })).toEqual([]);
    expect(vaultErrorMessages(undefined)).toEqual([]);
  });
});
