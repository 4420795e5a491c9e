import { Inject, Injectable } from '@nestjs/common';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../modules/secrets/encryption.provider';
import { SecretsError, SecretsErrorCode } from '../../modules/secrets/secrets.errors';
import type { RequestContext } from '../tenancy/request-context';
import type { ResourceDefinition } from './resource-definition';
import type { GraphNode } from './resource-graph';
import type { ResourceInput } from './resource-handler';

const sensitive = (def: ResourceDefinition) =>
  Object.entries(def.attributes).filter(([, a]) => a.sensitive && !a.writeOnly);

/**
 * Sensitive attributes, as a resource definition marks them: encrypted on the way
 * in, decrypted on the way out, each in one batched call per request (never one
 * per row or field). Modules store and read the ciphertext; they never see a key.
 */
@Injectable()
export class SensitiveFields {
  constructor(@Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider) {}

  /** Replaces the plaintext of every sensitive attribute in `input` by its ciphertext. */
  async seal(ctx: RequestContext, def: ResourceDefinition, input: ResourceInput): Promise<void> {
    const attributes = input.attributes as Record<string, unknown>;
    const names = sensitive(def)
      .map(([name]) => name)
      .filter((name) => typeof attributes[name] === 'string');
    if (!names.length) return;
    const sealed = await this.encryption.encrypt(ctx.tenantId, names.map((n) => attributes[n] as string));
    names.forEach((name, i) => (attributes[name] = sealed[i]));
  }

  /** Decrypts the sensitive attributes of every node, in one call. */
  async reveal(ctx: RequestContext, nodes: readonly GraphNode[]): Promise<void> {
    const slots: Array<{ node: GraphNode; name: string }> = [];
    const ciphertexts: string[] = [];
    for (const node of nodes) {
      const fields = sensitive(node.def);
      if (!fields.length) continue;
      node.plaintext = {};
      for (const [name, attribute] of fields) {
        const value = (node.record as Record<string, unknown>)[attribute.property ?? name];
        if (typeof value === 'string') {
          slots.push({ node, name });
          ciphertexts.push(value);
        } else node.plaintext[name] = null;
      }
    }
    if (!ciphertexts.length) return;
    let plaintexts: string[];
    try {
      plaintexts = await this.encryption.decrypt(ctx.tenantId, ciphertexts);
    } catch (error) {
      const index = error instanceof SecretsError ? (error.meta?.index as number | undefined) : undefined;
      if (error instanceof SecretsError && error.code === SecretsErrorCode.CiphertextInvalid && index !== undefined) {
        const { node, name } = slots[index];
        throw new SecretsError(
          SecretsErrorCode.CiphertextInvalid,
          `The stored ${name} of ${node.def.type} ${node.record.id} cannot be decrypted.`,
          undefined,
          { type: node.def.type, id: node.record.id, attribute: name },
        );
      }
      throw error;
    }
    slots.forEach(({ node, name }, i) => (node.plaintext![name] = plaintexts[i]));
  }
}
