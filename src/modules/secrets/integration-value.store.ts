import type { RequestContext } from '../../infra/tenancy/request-context';
import type { EncryptionProvider } from './encryption.provider';
import type { IntegrationSecret } from './entities';
import type { VaultKvClient } from './vault-kv.client';

/** What the metadata row keeps after a value is stored. */
export interface StoredValue {
  version: number;
  /** The embedded profile's ciphertext; null when Vault KV holds the value. */
  valueCiphertext: string | null;
}

/**
 * Where integration credential values live: Vault KV v2 (services profile) or,
 * without Vault, the metadata row itself, encrypted by the local keyring. The
 * service sees one API; values never reach MySQL in the clear.
 */
export interface IntegrationValueStore {
  /** Stores a new version of the value of secret `id`. */
  put(ctx: RequestContext, id: string, value: string, previous: StoredValue): Promise<StoredValue>;
  /** The current value, for server-side use (never for a response). */
  get(ctx: RequestContext, secret: IntegrationSecret): Promise<string>;
  /** Forgets every version of secret `id` of the tenant (nothing to do when there is none). */
  remove(tenantId: string, id: string): Promise<void>;
}

export const INTEGRATION_VALUE_STORE = Symbol('INTEGRATION_VALUE_STORE');

/** The tenant's own KV path (the app's Vault policy allows `bloomdesk/tenants/*` only). Ids are UUIDs the server checked. */
export const integrationPath = (tenantId: string, id: string) => `bloomdesk/tenants/${tenantId}/integrations/${id}`;

/** Values in Vault KV v2: each update is a new KV version; deleting removes the metadata and every version. */
export class VaultKvValueStore implements IntegrationValueStore {
  constructor(private readonly kv: VaultKvClient) {}

  async put(ctx: RequestContext, id: string, value: string): Promise<StoredValue> {
    const { version } = await this.kv.write(integrationPath(ctx.tenantId, id), { value });
    return { version, valueCiphertext: null };
  }

  async get(ctx: RequestContext, secret: IntegrationSecret): Promise<string> {
    return (await this.kv.read(integrationPath(ctx.tenantId, secret.id))).data.value;
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.kv.remove(integrationPath(tenantId, id));
  }
}

/** The embedded profile: the value encrypted in the row, the version counted there. */
export class LocalValueStore implements IntegrationValueStore {
  constructor(private readonly encryption: EncryptionProvider) {}

  async put(ctx: RequestContext, _id: string, value: string, previous: StoredValue): Promise<StoredValue> {
    const [valueCiphertext] = await this.encryption.encrypt(ctx.tenantId, [value]);
    return { version: previous.version + 1, valueCiphertext };
  }

  async get(ctx: RequestContext, secret: IntegrationSecret): Promise<string> {
    const [value] = await this.encryption.decrypt(ctx.tenantId, [secret.valueCiphertext!]);
    return value;
  }

  async remove(): Promise<void> {
    // The row that held it is deleted by the caller.
  }
}
