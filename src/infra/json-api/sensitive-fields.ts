import { Inject, Injectable } from '@nestjs/common';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../modules/secrets/encryption.provider';
import { SecretsError, SecretsErrorCode } from '../../modules/secrets/secrets.errors';
import { SecretsMetrics } from '../../modules/secrets/secrets.metrics';
import { can } from '../auth/permissions';
import type { RequestContext } from '../tenancy/request-context';
import { normaliseEmail, normalisePhone } from '../validation/normalise';
import { JsonApiError, JsonApiErrorCode, JsonApiErrors } from './json-api.errors';
import { type AttributeDefinition, type ResourceDefinition, attributeNamed } from './resource-definition';
import type { GraphNode } from './resource-graph';
import type { ResourceInput } from './resource-handler';
import type { ResourceQuery } from './resource-query';

/**
 * The most a sensitive attribute may hold, whatever its DTO says: its ciphertext
 * (base64 of up to 4 bytes a character) must fit the TEXT column it is stored in.
 */
export const MAX_SENSITIVE_LENGTH = 4096;

type SensitiveAttribute = [name: string, attribute: AttributeDefinition];

const sensitiveByDefinition = new WeakMap<ResourceDefinition, readonly SensitiveAttribute[]>();

/** A definition's sensitive attributes; definitions do not change, so worked out once per definition, not per row. */
function sensitive(def: ResourceDefinition): readonly SensitiveAttribute[] {
  let found = sensitiveByDefinition.get(def);
  if (!found) sensitiveByDefinition.set(def, (found = Object.entries(def.attributes).filter(([, a]) => a.sensitive)));
  return found;
}

type BlindIndex = NonNullable<AttributeDefinition['blindIndex']>;

/** Ciphertexts made ahead of a write, by attribute: each used only if the write seals that very plaintext. */
export type Presealed = ReadonlyMap<string, { plaintext: string; ciphertext: string }>;

/** Whose a stored value is: a record's type and id, and the attribute holding the value. */
export interface StoredValueOwner {
  type: string;
  id: string;
  attribute: string;
}

/** Never equal to a real index, so a filter value that is not a phone or e-mail matches nothing. */
const NO_MATCH = '!unindexable';

/**
 * Sensitive attributes, as a resource definition marks them: encrypted on the way
 * in, decrypted on the way out, each in one batched call per request (never one
 * per row or field), and blind-indexed where they must be searchable. Modules
 * store and read ciphertext and indexes; they never see a key.
 */
@Injectable()
export class SensitiveFields {
  constructor(
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
    private readonly metrics: SecretsMetrics,
  ) {}

  /**
   * Encrypts the sensitive attributes of many writes in one call (an atomic
   * batch: the values do not depend on what earlier operations create). Returns,
   * for each item, what `seal` then uses instead of calling the provider again.
   */
  async preseal(ctx: RequestContext, items: ReadonlyArray<{ def: ResourceDefinition; attributes: object } | undefined>): Promise<Presealed[]> {
    const slots: Array<{ item: number; name: string; plaintext: string }> = [];
    items.forEach((entry, item) => {
      if (!entry) return;
      const attributes = entry.attributes as Record<string, unknown>;
      for (const [name] of sensitive(entry.def)) {
        const value = attributes[name];
        if (typeof value === 'string' && value.length <= MAX_SENSITIVE_LENGTH) slots.push({ item, name, plaintext: value });
      }
    });
    const sealed = slots.length ? await this.encryption.encrypt(ctx.tenantId, slots.map((slot) => slot.plaintext)) : [];
    const result = items.map(() => new Map<string, { plaintext: string; ciphertext: string }>());
    slots.forEach(({ item, name, plaintext }, i) => result[item].set(name, { plaintext, ciphertext: sealed[i] }));
    return result;
  }

  /**
   * Replaces the plaintext of every sensitive attribute in `input` by its
   * ciphertext, and adds the blind index of searchable ones under their index
   * property. Values `presealed` already holds for the same plaintext cost no call.
   */
  async seal(ctx: RequestContext, def: ResourceDefinition, input: ResourceInput, presealed?: Presealed): Promise<void> {
    const attributes = input.attributes as Record<string, unknown>;
    const present = sensitive(def).filter(([name]) => attributes[name] !== undefined);
    const tooLong = present.filter(([name]) => typeof attributes[name] === 'string' && (attributes[name] as string).length > MAX_SENSITIVE_LENGTH);
    if (tooLong.length) {
      throw new JsonApiErrors(
        tooLong.map(([name]) => new JsonApiError(JsonApiErrorCode.ValidationFailed, `${name} must be at most ${MAX_SENSITIVE_LENGTH} characters long.`, { pointer: `/data/attributes/${name}` })),
      );
    }
    for (const [, attribute] of present) {
      if (attribute.blindIndex) attributes[attribute.blindIndex.property] = null;
    }
    const indexed = present.filter(([name, a]) => a.blindIndex && typeof attributes[name] === 'string');
    await this.indexInto(ctx, indexed.map(([name, a]) => ({ name, index: a.blindIndex!, value: attributes[name] as string })), attributes);
    const toSeal: string[] = [];
    for (const [name] of present) {
      if (typeof attributes[name] !== 'string') continue;
      const ready = presealed?.get(name);
      if (ready?.plaintext === attributes[name]) attributes[name] = ready.ciphertext;
      else toSeal.push(name);
    }
    if (!toSeal.length) return;
    const sealed = await this.encryption.encrypt(ctx.tenantId, toSeal.map((n) => attributes[n] as string));
    toSeal.forEach((name, i) => (attributes[name] = sealed[i]));
  }

  /** Filters on blind-indexed attributes compare indexes: the values become indexes, the property the index column. */
  async indexFilters(ctx: RequestContext, def: ResourceDefinition, query: ResourceQuery): Promise<void> {
    for (const condition of query.filter) {
      const index = attributeNamed(def, condition.field)?.blindIndex;
      if (!index) continue;
      const normalised = condition.values.map((v) => this.normalise(ctx, index, String(v)));
      const valid = normalised.filter((v): v is string => v !== null);
      const hashes = valid.length ? await this.encryption.blindIndex(this.scope(ctx, index), valid) : [];
      condition.values = normalised.map((v) => (v === null ? NO_MATCH : hashes[valid.indexOf(v)]));
      condition.property = index.property;
    }
  }

  /**
   * Decrypts the sensitive attributes of every node that the document will
   * show, in one call. What it will not show is left encrypted: attributes a
   * sparse fieldset (`fields[TYPE]`, by the node's type) leaves out, and those
   * the caller's role may not read. (`?fields[employees]=role` decrypts nothing.)
   */
  async reveal(ctx: RequestContext, nodes: readonly GraphNode[], fieldsets: Readonly<Record<string, readonly string[]>> = {}): Promise<void> {
    const slots: Array<{ node: GraphNode; name: string }> = [];
    const ciphertexts: string[] = [];
    const shownByDefinition = new Map<ResourceDefinition, readonly SensitiveAttribute[]>();
    const shown = (def: ResourceDefinition) => {
      const wanted = fieldsets[def.type];
      return sensitive(def).filter(([name, a]) => !a.writeOnly && (!wanted || wanted.includes(name)) && (!a.readPermission || can(ctx.role, a.readPermission)));
    };
    for (const node of nodes) {
      let fields = shownByDefinition.get(node.def);
      if (!fields) shownByDefinition.set(node.def, (fields = shown(node.def)));
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
    const plaintexts = await this.decryptStored(ctx.tenantId, ciphertexts, (i) => ({ type: slots[i].node.def.type, id: slots[i].node.record.id, attribute: slots[i].name }));
    slots.forEach(({ node, name }, i) => (node.plaintext![name] = plaintexts[i]));
  }

  /**
   * Decrypts stored values in one call. One that does not decrypt is named by
   * `owner` of its position (its record's type and id, and what it holds; the log
   * and the client get those, never the ciphertext) and counted by type.
   */
  async decryptStored(tenantId: string, ciphertexts: string[], owner: (index: number) => StoredValueOwner): Promise<string[]> {
    try {
      return await this.encryption.decrypt(tenantId, ciphertexts);
    } catch (error) {
      const index = error instanceof SecretsError ? (error.meta?.index as number | undefined) : undefined;
      if (error instanceof SecretsError && error.code === SecretsErrorCode.CiphertextInvalid && index !== undefined) {
        const { type, id, attribute } = owner(index);
        this.metrics.ciphertextInvalid.inc({ type });
        throw new SecretsError(SecretsErrorCode.CiphertextInvalid, `The stored ${attribute} of ${type} ${id} cannot be decrypted.`, undefined, { type, id, attribute });
      }
      throw error;
    }
  }

  private async indexInto(ctx: RequestContext, items: Array<{ name: string; index: BlindIndex; value: string }>, attributes: Record<string, unknown>): Promise<void> {
    for (const scope of ['global', 'tenant'] as const) {
      const batch = items.filter((i) => i.index.scope === scope);
      if (!batch.length) continue;
      const normalised = batch.map(({ name, index, value }) => {
        const form = this.normalise(ctx, index, value);
        if (form === null) {
          throw new JsonApiError(JsonApiErrorCode.ValidationFailed, `${name} is not a valid ${index.normalise === 'phone' ? 'phone number' : 'e-mail address'}.`, {
            pointer: `/data/attributes/${name}`,
          });
        }
        return form;
      });
      const hashes = await this.encryption.blindIndex(this.scope(ctx, batch[0].index), normalised);
      batch.forEach(({ index }, i) => (attributes[index.property] = hashes[i]));
    }
  }

  private normalise(ctx: RequestContext, index: BlindIndex, value: string): string | null {
    return index.normalise === 'phone' ? normalisePhone(value, ctx.currency) : normaliseEmail(value);
  }

  private scope(ctx: RequestContext, index: BlindIndex): string {
    return index.scope === 'global' ? '' : ctx.tenantId;
  }
}
