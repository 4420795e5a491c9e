import { DomainError } from '../../infra/errors/domain-error';

export enum SecretsErrorCode {
  /** Vault unreachable, sealed, timing out, answering 5xx after retries, or refusing our token. The API answers 503. */
  Unavailable = 'secrets-unavailable',
  /** A stored ciphertext does not decrypt: tampered, another tenant's, or a key version that is unknown or trimmed. */
  CiphertextInvalid = 'ciphertext-invalid',
  /** Integration secrets are told apart by name within a shop. */
  IntegrationNameTaken = 'integration-name-taken',
}

/**
 * Thrown by the encryption providers. `detail` and `meta` never hold a plaintext,
 * a ciphertext, a token or a secret id: they may reach a client and the logs.
 *
 * @example
 * catch (e) {
 *   if (e instanceof SecretsError && e.code === SecretsErrorCode.CiphertextInvalid) {
 *     const broken = rows[e.meta!.index as number]; // name the affected record
 *   }
 * }
 */
export class SecretsError extends DomainError<SecretsErrorCode> {
  override name = 'SecretsError';

  static unavailable(detail: string, meta?: Record<string, unknown>): SecretsError {
    return new SecretsError(SecretsErrorCode.Unavailable, detail, undefined, meta);
  }

  /** `index` is the position of the failing item in the caller's batch. */
  static ciphertextInvalid(index: number, reason?: string): SecretsError {
    return new SecretsError(
      SecretsErrorCode.CiphertextInvalid,
      `The encrypted value at position ${index} of the batch could not be decrypted.`,
      undefined,
      reason === undefined ? { index } : { index, reason },
    );
  }
}
