import { Inject, Injectable } from '@nestjs/common';
import { isDuplicateKey } from '../../infra/database/database.errors';
import { uuid7 } from '../../infra/database/uuid7';
import { notFound } from '../../infra/json-api/json-api.errors';
import type { Page } from '../../infra/json-api/pagination';
import type { ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { IntegrationSecretCreateDto, IntegrationSecretUpdateDto } from './dto/integration-secret.dto';
import type { IntegrationSecret } from './entities';
import { IntegrationSecretRemovals } from './integration-secret-removals';
import { IntegrationSecretRepository } from './integration-secret.repository';
import { INTEGRATION_VALUE_STORE, type IntegrationValueStore } from './integration-value.store';
import { SecretsError, SecretsErrorCode } from './secrets.errors';

const TYPE = 'integration-secrets';

/**
 * The `integration-secrets` resource: credentials the shop's integrations use
 * (payment terminal, SMS gateway, online shop). The value is write-only: it goes
 * to the value store (Vault KV) and never into a response, a log or MySQL; the
 * shard keeps name, kind and version. Writes run in the request's transaction:
 * the row is written first, so a refused name never reaches Vault, and a Vault
 * failure rolls the row back (503, nothing half-written here). Vault cannot join
 * the transaction: a commit that fails after a Vault write leaves a KV version no
 * row points to, which the next write of that secret supersedes. A delete is the
 * other way round: the value leaves KV only after the row's delete has committed
 * (`IntegrationSecretRemovals`), so a rolled-back delete keeps its value.
 */
@Injectable()
export class IntegrationSecretService implements ResourceHandler<IntegrationSecret> {
  constructor(
    private readonly secrets: IntegrationSecretRepository,
    @Inject(INTEGRATION_VALUE_STORE) private readonly values: IntegrationValueStore,
    private readonly removals: IntegrationSecretRemovals,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<IntegrationSecret>> {
    return this.secrets.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<IntegrationSecret[]> {
    return this.secrets.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes }: ResourceInput<IntegrationSecretCreateDto>): Promise<IntegrationSecret> {
    const now = new Date();
    const secretId = id ?? uuid7();
    if (id) await this.removals.settleBeforeReuse(ctx, id);
    const row = await this.named(attributes.name, () =>
      this.secrets.insert(ctx, { id: secretId, name: attributes.name.trim(), kind: attributes.kind, version: 0, valueCiphertext: null, createdAt: now, updatedAt: now }),
    );
    const stored = await this.values.put(ctx, secretId, attributes.value, row);
    await this.secrets.update(ctx, secretId, stored);
    return { ...row, ...stored };
  }

  async update(ctx: RequestContext, id: string, { attributes }: ResourceInput<IntegrationSecretUpdateDto>): Promise<IntegrationSecret> {
    const current = await this.secrets.findForUpdate(ctx, id);
    if (!current) throw notFound(TYPE, id);
    const name = attributes.name?.trim();
    await this.named(name, () =>
      this.secrets.update(ctx, id, { ...(name !== undefined && { name }), ...(attributes.kind !== undefined && { kind: attributes.kind }), updatedAt: new Date() }),
    );
    if (attributes.value !== undefined) await this.secrets.update(ctx, id, await this.values.put(ctx, id, attributes.value, current));
    return (await this.secrets.findByIds(ctx, [id]))[0];
  }

  /** The row now; the value once the delete has committed (Vault need not be up). */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.secrets.delete(ctx, id);
    await this.removals.owe(ctx, id);
  }

  /** The current value, for the server's own use (an integration calling out); never for a response. */
  async reveal(ctx: RequestContext, id: string): Promise<string> {
    const [secret] = await this.secrets.findByIds(ctx, [id]);
    if (!secret) throw notFound(TYPE, id);
    return this.values.get(ctx, secret);
  }

  private async named<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (name === undefined || !isDuplicateKey(error)) throw error;
      throw new SecretsError(SecretsErrorCode.IntegrationNameTaken, `Another integration secret is called "${name}".`, { pointer: '/data/attributes/name' });
    }
  }
}
