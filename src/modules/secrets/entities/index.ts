import { IntegrationSecret } from './integration-secret';

export { IntegrationSecret };
export { INTEGRATION_KINDS } from './integration-secret';
export type { IntegrationKind } from './integration-secret';

export const SECRETS_SHARD_ENTITIES = [IntegrationSecret];
