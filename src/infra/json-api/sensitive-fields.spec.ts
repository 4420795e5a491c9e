import type { EncryptionProvider } from '../../modules/secrets/encryption.provider';
import { SecretsError, SecretsErrorCode } from '../../modules/secrets/secrets.errors';
import { SecretsMetrics } from '../../modules/secrets/secrets.metrics';
import type { RequestContext } from '../tenancy/request-context';
import { JsonApiErrors } from './json-api.errors';
import { defineResource } from './resource-definition';
import type { GraphNode } from './resource-graph';
import { MAX_SENSITIVE_LENGTH, SensitiveFields } from './sensitive-fields';

const def = defineResource({
  type: 'notes',
  attributes: { title: { type: 'string' }, secret: { type: 'string', sensitive: true, property: 'secretCiphertext' } },
  defaultSort: ['title'],
  page: { defaultSize: 10, maxSize: 10 },
});
const ctx = { tenantId: 'tenant-a' } as RequestContext;

describe(SensitiveFields.name, () => {
  let encryption: jest.Mocked<Pick<EncryptionProvider, 'encrypt' | 'decrypt'>>;
  let metrics: SecretsMetrics;
  let sut: SensitiveFields;

  beforeEach(() => {
    encryption = {
      encrypt: jest.fn(async (_t, values) => values.map((v) => `ct(${v})`)),
      decrypt: jest.fn(async (_t: string, _values: readonly string[]): Promise<string[]> => {
        throw SecretsError.ciphertextInvalid(1, 'message authentication failed');
      }),
    };
    metrics = new SecretsMetrics();
    sut = new SensitiveFields(encryption as unknown as EncryptionProvider, metrics);
  });

  it('seals sensitive attributes in one call', async () => {
    const input = { attributes: { title: 'a', secret: 'b' }, relationships: {} };
    await sut.seal(ctx, def, input);
    expect(input.attributes).toEqual({ title: 'a', secret: 'ct(b)' });
    expect(encryption.encrypt).toHaveBeenCalledTimes(1);
  });

  it(`refuses a sensitive value over ${MAX_SENSITIVE_LENGTH} characters with 422 naming it, before encrypting anything`, async () => {
    const input = { attributes: { title: 'a', secret: 'x'.repeat(MAX_SENSITIVE_LENGTH + 1) }, relationships: {} };
    const error: unknown = await sut.seal(ctx, def, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonApiErrors);
    expect((error as JsonApiErrors).errors).toMatchObject([{ code: 'validation-failed', source: { pointer: '/data/attributes/secret' } }]);
    expect(encryption.encrypt).not.toHaveBeenCalled();
  });

  it('decrypts only what the sparse fieldset of each node’s type will show', async () => {
    encryption.decrypt.mockImplementation(async (_t, values) => values.map((v) => `pt(${v})`));
    const node = (): GraphNode => ({ def, record: { id: 'n1', secretCiphertext: 'vault:v1:abc' } as GraphNode['record'], linkage: {} });
    const left = node();
    await sut.reveal(ctx, [left], { notes: ['title'] });
    expect(encryption.decrypt).not.toHaveBeenCalled();
    expect(left).not.toHaveProperty('plaintext.secret');

    const shown = [node(), node()];
    await sut.reveal(ctx, shown, { notes: ['title', 'secret'], other: [] });
    await sut.reveal(ctx, [node()]);
    expect(encryption.decrypt.mock.calls).toEqual([
      [ctx.tenantId, ['vault:v1:abc', 'vault:v1:abc']],
      [ctx.tenantId, ['vault:v1:abc']],
    ]);
    expect(shown[0].plaintext).toEqual({ secret: 'pt(vault:v1:abc)' });
  });

  it('names the record whose value does not decrypt, never its ciphertext, and counts it', async () => {
    const node = (id: string) => ({ def, record: { id, secretCiphertext: `vault:v1:secret-of-${id}` }, linkage: {} });
    const error: unknown = await sut.reveal(ctx, [node('n1'), node('n2')]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: SecretsErrorCode.CiphertextInvalid,
      detail: 'The stored secret of notes n2 cannot be decrypted.',
      meta: { type: 'notes', id: 'n2', attribute: 'secret' },
    });
    expect(JSON.stringify(error) + (error as Error).message).not.toContain('secret-of');
    expect((await metrics.ciphertextInvalid.get()).values).toEqual([{ labels: { type: 'notes' }, value: 1 }]);
  });
});
