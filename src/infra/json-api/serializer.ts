import type { RequestContext } from '../tenancy/request-context';
import { type Permission, can } from '../auth/permissions';
import { type ResourceDefinition, resourcePath } from './resource-definition';
import type { Identified, Linkage } from './resource-handler';

export const API_BASE = '/api/v1';

export interface ResourceIdentifier {
  type: string;
  id: string;
}

export interface ResourceObject extends ResourceIdentifier {
  attributes?: Record<string, unknown>;
  relationships?: Record<string, { links: { self: string; related: string }; data?: ResourceIdentifier | ResourceIdentifier[] | null }>;
  links?: { self: string };
  meta?: Record<string, unknown>;
}

export interface JsonApiDocument {
  jsonapi: { version: '1.1'; ext?: string[]; profile?: string[] };
  data?: ResourceObject | ResourceObject[] | ResourceIdentifier | ResourceIdentifier[] | null;
  included?: ResourceObject[];
  links?: Record<string, string | null>;
  meta?: Record<string, unknown>;
}

/** How one record is rendered: its linkage and any plaintext of its sensitive attributes. */
export interface RenderOptions {
  /** Relationship name -> linkage; relationships without an entry get links only. */
  linkage?: Record<string, Linkage>;
  /** Sparse fieldset of this type, if the request gave one. */
  fields?: readonly string[];
  /** Decrypted values of sensitive attributes, by attribute name. */
  plaintext?: Record<string, string | null>;
  meta?: Record<string, unknown>;
}

const toIdentifier = (type: string, linkage: Linkage): ResourceIdentifier | ResourceIdentifier[] | null =>
  linkage === null ? null : Array.isArray(linkage) ? linkage.map((id) => ({ type, id })) : { type, id: linkage };

/** The value a client sees: dates as ISO 8601, everything else as stored. */
function present(value: unknown, type: string): unknown {
  if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  return value === undefined ? null : value;
}

/**
 * Builds resource objects and documents. Written for JSON:API 1.1 directly
 * (it replaced `jsonapi-serializer`, which the serializer benchmark measured at
 * several times the cost of the plain document; see bench/README.md).
 *
 * @example
 * const object = serializer.resourceObject(ctx, storeResource, store, { fields: ['name'] });
 */
export class JsonApiSerializer {
  resourceObject(ctx: Pick<RequestContext, 'role'> | undefined, def: ResourceDefinition, record: Identified, options: RenderOptions = {}): ResourceObject {
    const values = record as Record<string, unknown>;
    const self = `${API_BASE}/${resourcePath(def)}/${record.id}`;
    const wanted = options.fields ? new Set(options.fields) : undefined;
    const attributes: Record<string, unknown> = {};
    for (const [name, attribute] of Object.entries(def.attributes)) {
      if (attribute.writeOnly || (wanted && !wanted.has(name))) continue;
      if (attribute.readPermission && !(ctx && can(ctx.role, attribute.readPermission as Permission))) continue;
      attributes[name] = attribute.sensitive
        ? (options.plaintext?.[name] ?? null)
        : present(values[attribute.property ?? name], attribute.type);
    }
    const object: ResourceObject = { type: def.type, id: record.id };
    if (def.addressable !== false) object.links = { self };
    if (!wanted || Object.keys(attributes).length) object.attributes = attributes;
    const relationships: NonNullable<ResourceObject['relationships']> = {};
    for (const [name, relationship] of Object.entries(def.relationships ?? {})) {
      if (wanted && !wanted.has(name)) continue;
      const entry: (typeof relationships)[string] = { links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` } };
      const linkage = options.linkage?.[name];
      if (linkage !== undefined) entry.data = toIdentifier(relationship.type, linkage);
      relationships[name] = entry;
    }
    if (Object.keys(relationships).length) object.relationships = relationships;
    if (options.meta) object.meta = options.meta;
    return object;
  }

  document(body: Omit<JsonApiDocument, 'jsonapi'>, media?: { ext: string[]; profile: string[] }): JsonApiDocument {
    const jsonapi: JsonApiDocument['jsonapi'] = { version: '1.1' };
    if (media?.ext.length) jsonapi.ext = media.ext;
    if (media?.profile.length) jsonapi.profile = media.profile;
    return { jsonapi, ...body };
  }

  identifier(type: string, linkage: Linkage): ResourceIdentifier | ResourceIdentifier[] | null {
    return toIdentifier(type, linkage);
  }
}
