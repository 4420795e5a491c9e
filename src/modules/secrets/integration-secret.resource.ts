import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { IntegrationSecretCreateDto, IntegrationSecretUpdateDto } from './dto/integration-secret.dto';
import { INTEGRATION_KINDS } from './entities';

export const integrationSecretResource = defineResource({
  type: 'integration-secrets',
  description: "Credentials of the shop's integrations (payment terminal, SMS gateway, online shop). Owners only.",
  // A value written to Vault KV stays there when the shard transaction rolls back: never in an atomic batch.
  atomic: false,
  attributes: {
    name: { type: 'string', filter: true, sortable: true },
    kind: { type: 'enum', enum: INTEGRATION_KINDS, filter: true, sortable: true },
    value: {
      type: 'string',
      writeOnly: true,
      description: 'Write-only: kept in Vault KV (the embedded profile: encrypted by the local keyring), never returned. Each new value is a new version.',
    },
    version: { type: 'integer', readOnly: true, description: 'Version of the value; a new value adds one.' },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  defaultSort: ['name'],
  page: { defaultSize: 50, maxSize: 200 },
  permissions: {
    read: Permission.IntegrationSecretsManage,
    create: Permission.IntegrationSecretsManage,
    update: Permission.IntegrationSecretsManage,
    delete: Permission.IntegrationSecretsManage,
  },
  createDto: IntegrationSecretCreateDto,
  updateDto: IntegrationSecretUpdateDto,
});
