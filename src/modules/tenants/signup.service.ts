import { Inject, Injectable } from '@nestjs/common';
import { PasswordHasher } from '../../infra/auth/password-hasher';
import { CatalogDatabase, type CatalogTxContext } from '../../infra/database/catalog-database';
import { isDuplicateKey } from '../../infra/database/database.errors';
import { uuid7 } from '../../infra/database/uuid7';
import { ShardMap } from '../../infra/tenancy/shard-map';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../secrets/encryption.provider';
import type { SignupCreateDto } from './dto/signup-create.dto';
import { normaliseEmail } from '../../infra/validation/normalise';
import type { Tenant } from './entities';
import { TenantRepository } from './tenant.repository';
import { TenantsError, TenantsErrorCode } from './tenants.errors';
import { UserRepository } from './user.repository';

const emailTaken = () =>
  new TenantsError(TenantsErrorCode.EmailTaken, 'An account with this e-mail already exists; log in instead.', {
    pointer: '/data/attributes/email',
  });

/**
 * Creates a shop: the tenant on the least-loaded shard and its owner, in one
 * catalog transaction (the caller's, when `within` carries one: the signup's
 * Idempotency-Key record is written in it). The owner's e-mail and name are
 * encrypted (one batched call) before they are written; the e-mail is found
 * later by its blind index.
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly catalog: CatalogDatabase,
    private readonly tenants: TenantRepository,
    private readonly users: UserRepository,
    private readonly shardMap: ShardMap,
    private readonly passwords: PasswordHasher,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
  ) {}

  async signup(input: SignupCreateDto, within?: CatalogTxContext): Promise<Tenant> {
    const email = normaliseEmail(input.email);
    const [emailIndex] = await this.encryption.blindIndex('', [email]);
    // Through the caller's transaction: it holds a catalog connection, and a second one could wait for ever on a full pool.
    if (await this.users.findByEmailIndex(emailIndex, within)) throw emailTaken();

    const tenantId = uuid7();
    const [[emailCiphertext, nameCiphertext], [emailTenantIndex], passwordHash, shardId] = await Promise.all([
      this.encryption.encrypt(tenantId, [email, input.ownerName.trim()]),
      this.encryption.blindIndex(tenantId, [email]),
      this.passwords.hash(input.password),
      this.shardMap.placeNewTenant(within),
    ]);
    const now = new Date();
    const tenant: Tenant = {
      id: tenantId,
      name: input.tenantName.trim(),
      currency: input.currency,
      timeZone: input.timeZone,
      shardId,
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.catalog.transaction(async (em) => {
        await this.tenants.insert(em, tenant);
        await this.users.insert(em, {
          tenantId,
          id: uuid7(),
          emailIndex,
          emailTenantIndex,
          emailCiphertext,
          nameCiphertext,
          phoneCiphertext: null,
          phoneIndex: null,
          passwordHash,
          role: 'owner',
          active: true,
          createdAt: now,
          updatedAt: now,
        });
      }, within);
    } catch (error) {
      if (isDuplicateKey(error)) throw emailTaken();
      throw error;
    }
    return tenant;
  }
}
