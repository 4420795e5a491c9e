import { Serializer } from 'jsonapi-serializer';
import { type ResourceDefinition, readableAttributes } from './resource-definition';

export const API_BASE = '/api/v1';

export interface TopLevel {
  links?: Record<string, string | null>;
  meta?: Record<string, unknown>;
}

export interface JsonApiDocument {
  jsonapi: { version: '1.1' };
  data: unknown;
  links?: Record<string, string | null>;
  meta?: Record<string, unknown>;
}

/** An identified record as services return it; attributes are read by name (or the definition's `property`). */
export type Identified = { id: string } & object;

function plain(def: ResourceDefinition, attributes: readonly string[], record: Identified): Record<string, unknown> {
  const out: Record<string, unknown> = { id: record.id };
  for (const name of attributes) {
    const value = (record as Record<string, unknown>)[def.attributes[name].property ?? name];
    out[name] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

/**
 * The one place documents are built. It stands in front of `jsonapi-serializer`
 * so the library can be replaced without touching a module.
 *
 * @example
 * serializer.resource(storeResource, store, { links: { self: '/api/v1/stores/...' } });
 */
export class JsonApiSerializer {
  private readonly cache = new Map<string, Serializer>();

  resource(def: ResourceDefinition, record: Identified, top: TopLevel = {}, fields?: readonly string[]): JsonApiDocument {
    return this.document(def, record, top, fields);
  }

  collection(def: ResourceDefinition, records: Identified[], top: TopLevel = {}, fields?: readonly string[]): JsonApiDocument {
    return this.document(def, records, top, fields);
  }

  private document(
    def: ResourceDefinition,
    data: Identified | Identified[],
    top: TopLevel,
    fields?: readonly string[],
  ): JsonApiDocument {
    const attributes = fields ?? readableAttributes(def);
    const rows = Array.isArray(data) ? data.map((r) => plain(def, attributes, r)) : plain(def, attributes, data);
    const body = this.serializerFor(def, attributes).serialize(rows) as { data: unknown };
    return { jsonapi: { version: '1.1' }, ...(top.links && { links: top.links }), data: body.data, ...(top.meta && { meta: top.meta }) };
  }

  private serializerFor(def: ResourceDefinition, attributes: readonly string[]): Serializer {
    const key = `${def.type}:${attributes.join(',')}`;
    let serializer = this.cache.get(key);
    if (!serializer) {
      serializer = new Serializer(def.type, {
        attributes: [...attributes],
        keyForAttribute: (name: string) => name,
        pluralizeType: false,
        dataLinks: { self: (record: { id: string }) => `${API_BASE}/${def.path}/${record.id}` },
      });
      if (this.cache.size < 1000) this.cache.set(key, serializer);
    }
    return serializer;
  }
}
