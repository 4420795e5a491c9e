import { Inject, Injectable } from '@nestjs/common';
import { normaliseEmail } from '../../infra/validation/normalise';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from './encryption.provider';

/**
 * The login lookup's blind index of an e-mail: the HMAC of the normalised e-mail
 * alone, since a login has no tenant yet (unique across Bloomdesk). Tenant-owned
 * searches (`filter[email]`) use the tenant-scoped index the resource definition
 * declares instead.
 *
 * @example
 * // In a resource handler, after the resource layer sealed the attributes:
 * const emailIndex = await loginIndex.ofSealed(ctx.tenantId, attributes.email);
 */
@Injectable()
export class LoginEmailIndex {
  constructor(@Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider) {}

  async of(email: string): Promise<string> {
    const [index] = await this.encryption.blindIndex('', [normaliseEmail(email)]);
    return index;
  }

  /**
   * For an e-mail a handler holds only as ciphertext (the resource layer sealed
   * it). On Vault the decryption cache remembers what was just encrypted, so
   * the decrypt here makes no Vault call; the keyring decrypts in-process.
   */
  async ofSealed(tenantId: string, ciphertext: string): Promise<string> {
    const [email] = await this.encryption.decrypt(tenantId, [ciphertext]);
    return this.of(email);
  }
}
