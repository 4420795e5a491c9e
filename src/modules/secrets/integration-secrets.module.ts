import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { resourceController } from '../../infra/json-api/resource-controller';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from './encryption.provider';
import { IntegrationSecretRemovals } from './integration-secret-removals';
import { IntegrationSecretRepository } from './integration-secret.repository';
import { integrationSecretResource } from './integration-secret.resource';
import { IntegrationSecretService } from './integration-secret.service';
import { INTEGRATION_VALUE_STORE, type IntegrationValueStore, LocalValueStore, VaultKvValueStore } from './integration-value.store';
import { VaultKvClient } from './vault-kv.client';

/**
 * The `integration-secrets` resource. Values go to Vault KV when Vault is
 * configured, else into the row, encrypted by the local keyring.
 */
@Module({
  controllers: [resourceController(integrationSecretResource, IntegrationSecretService)],
  providers: [
    IntegrationSecretRepository,
    IntegrationSecretRemovals,
    IntegrationSecretService,
    {
      provide: INTEGRATION_VALUE_STORE,
      inject: [APP_CONFIG, VaultKvClient, ENCRYPTION_PROVIDER],
      useFactory: (config: AppConfig, kv: VaultKvClient | null, encryption: EncryptionProvider): IntegrationValueStore =>
        config.vault && kv ? new VaultKvValueStore(kv) : new LocalValueStore(encryption),
    },
  ],
  exports: [IntegrationSecretService, IntegrationSecretRemovals],
})
export class IntegrationSecretsModule {}
