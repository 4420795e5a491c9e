import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ENCRYPTION_PROVIDER, EncryptionProvider } from './encryption.provider';
import { createVaultAuthApi, createVaultHealthApi, createVaultKvApi } from './hashi-vault.client';
import { DecryptionCache } from './decryption-cache';
import { LocalKeyringProvider } from './local-keyring.provider';
import { LoginEmailIndex } from './login-email-index';
import { SecretsMetrics } from './secrets.metrics';
import { VaultAuthService } from './vault-auth.service';
import { VaultKvClient } from './vault-kv.client';
import { VaultTransitClient } from './vault-transit.client';
import { VaultTransitProvider } from './vault-transit.provider';

/**
 * Provides `ENCRYPTION_PROVIDER` everywhere: Vault transit when `config.vault` is
 * set, the local keyring otherwise. On the services profile `VaultAuthService`
 * (login at init, renewal timer cleared at destroy), `VaultTransitClient` and
 * `VaultKvClient` (integration credentials) are exported too; on the embedded
 * profile they are null. `SecretsMetrics` holds the module's series on `/metrics`;
 * `LoginEmailIndex` the login lookup's blind index of an e-mail.
 * Expects the app to import `ConfigModule.forRoot(config)`.
 *
 * @example
 * @Injectable()
 * export class CustomerService {
 *   constructor(@Inject(ENCRYPTION_PROVIDER) private readonly crypto: EncryptionProvider) {}
 *
 *   async create(ctx: RequestContext, dto: CustomerCreateDto) {
 *     // One batched call for every sensitive field of the write.
 *     const [phone, email, notes] = await this.crypto.encrypt(ctx.tenantId, [dto.phone, dto.email, dto.notes]);
 *     const [phoneIndex] = await this.crypto.blindIndex(ctx.tenantId, [toE164(dto.phone)]);
 *     // ...insert phone, email, notes (ciphertexts) and phoneIndex
 *   }
 * }
 */
@Global()
@Module({
  providers: [
    SecretsMetrics,
    LoginEmailIndex,
    {
      provide: VaultAuthService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): VaultAuthService | null =>
        config.vault ? new VaultAuthService(config.vault, createVaultAuthApi(config.vault)) : null,
    },
    {
      provide: VaultTransitClient,
      inject: [APP_CONFIG, VaultAuthService],
      useFactory: (config: AppConfig, auth: VaultAuthService | null): VaultTransitClient | null =>
        config.vault && auth ? new VaultTransitClient(config.vault, auth) : null,
    },
    {
      provide: VaultKvClient,
      inject: [APP_CONFIG, VaultAuthService],
      useFactory: (config: AppConfig, auth: VaultAuthService | null): VaultKvClient | null =>
        config.vault && auth ? new VaultKvClient(auth, createVaultKvApi(config.vault)) : null,
    },
    {
      provide: ENCRYPTION_PROVIDER,
      inject: [APP_CONFIG, VaultTransitClient],
      useFactory: (config: AppConfig, transit: VaultTransitClient | null): EncryptionProvider =>
        config.vault && transit
          ? // A page read again within minutes costs no Vault call; the keyring is in-process already.
            new DecryptionCache(new VaultTransitProvider(config.vault, transit, createVaultHealthApi(config.vault)), { maxEntries: 20_000, ttlMs: 5 * 60_000 })
          : new LocalKeyringProvider(config),
    },
  ],
  exports: [ENCRYPTION_PROVIDER, VaultAuthService, VaultTransitClient, VaultKvClient, SecretsMetrics, LoginEmailIndex],
})
export class SecretsModule {}
