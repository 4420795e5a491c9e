/** How a filter value is parsed before it may reach SQL. */
export type FilterKind = 'string' | 'uuid' | 'integer' | 'boolean' | 'datetime';

export interface AttributeDefinition {
  /** Set by the server only (a client writing it gets 403). */
  readOnly?: boolean;
  /** Accepted on writes, never returned (passwords, credentials). */
  writeOnly?: boolean;
  /** Stored only as ciphertext; returned decrypted to those allowed to read it. */
  sensitive?: boolean;
  sortable?: boolean;
  filter?: FilterKind;
  /** The record property holding the value, when it differs from the attribute name. */
  property?: string;
}

/**
 * Everything the JSON:API layer needs to know about one resource type: it drives
 * query parsing (which sorts and filters are allowed), document parsing (which
 * attributes may be written) and serialization. A module adds a resource type by
 * writing its definition beside its entity, repository and service.
 *
 * @example
 * export const storeResource = defineResource({
 *   type: 'stores',
 *   path: 'stores',
 *   attributes: { name: { sortable: true, filter: 'string' }, createdAt: { readOnly: true, sortable: true } },
 *   defaultSort: ['name'],
 *   page: { defaultSize: 25, maxSize: 100 },
 * });
 */
export interface ResourceDefinition {
  readonly type: string;
  /** Path under /api/v1 of the collection. */
  readonly path: string;
  readonly attributes: Readonly<Record<string, AttributeDefinition>>;
  readonly defaultSort: readonly string[];
  readonly page: { readonly defaultSize: number; readonly maxSize: number };
  /** Relationships that may be named in `include` (none yet for the first resources). */
  readonly includes?: readonly string[];
}

export function defineResource<const T extends ResourceDefinition>(definition: T): T {
  return definition;
}

export const readableAttributes = (def: ResourceDefinition) =>
  Object.entries(def.attributes)
    .filter(([, a]) => !a.writeOnly)
    .map(([name]) => name);

export const writableAttributes = (def: ResourceDefinition) =>
  Object.entries(def.attributes)
    .filter(([, a]) => !a.readOnly)
    .map(([name]) => name);
