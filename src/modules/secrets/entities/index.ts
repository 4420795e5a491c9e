import { IntegrationSecret } from './integration-secret';
import { IntegrationSecretRemoval } from './integration-secret-removal';

export { IntegrationSecret, IntegrationSecretRemoval };
export { INTEGRATION_KINDS } from './integration-secret';
export type { IntegrationKind } from './integration-secret';

export const SECRETS_SHARD_ENTITIES = [IntegrationSecret, IntegrationSecretRemoval];
