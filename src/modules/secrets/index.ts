export { ENCRYPTION_PROVIDER } from './encryption.provider';
export type { EncryptionProvider } from './encryption.provider';
export { SecretsError, SecretsErrorCode } from './secrets.errors';
export { SecretsModule } from './secrets.module';
export { VaultAuthService } from './vault-auth.service';
export { VaultTransitClient, TRANSIT_CHUNK_SIZE } from './vault-transit.client';
export type { TransitCiphertextItem, TransitEncryptItem, TransitKeyInfo, VaultHealth } from './vault-transit.client';
export type { VaultTokenSource } from './vault-token-source';
export { vaultSafeCall } from './vault-safe-call';
