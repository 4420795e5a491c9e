import type { Permission } from '../auth/permissions';
import type { CachedReadOptions } from '../cache/cached-read';

/** The value type of an attribute: drives filter parsing, the OpenAPI schema and serialization. */
export type AttributeType =
  /** free text */
  | 'string'
  /** a whole number (money in minor units, stem counts) */
  | 'integer'
  /** a decimal number carried as a string, e.g. "2.5" (never a float) */
  | 'decimal'
  | 'boolean'
  /** ISO 8601 date-time, e.g. 2026-03-08T09:30:00.000Z */
  | 'datetime'
  /** ISO 8601 calendar date, e.g. 2026-03-08 */
  | 'date'
  | 'uuid'
  /** one of `enum` */
  | 'enum';

export type FilterOperator = 'eq' | 'gt' | 'gte' | 'lt' | 'lte';

export interface AttributeDefinition {
  type: AttributeType;
  /** The allowed values of an `enum` attribute. */
  enum?: readonly string[];
  /** May be null. */
  nullable?: boolean;
  /** Set by the server only (a client writing it gets 403). */
  readOnly?: boolean;
  /** Accepted on writes, never returned (passwords, credentials). */
  writeOnly?: boolean;
  /** Stored only as ciphertext; decrypted in one batch per page. */
  sensitive?: boolean;
  /**
   * For a sensitive attribute that must be searchable: a blind index (keyed HMAC
   * of the normalised value) kept in `property`, so `filter[attr]=...` and unique
   * checks work without decrypting. `scope: 'global'` indexes the value alone
   * (login e-mails, unique across tenants); 'tenant' prefixes the tenant id.
   */
  blindIndex?: { normalise: 'email' | 'phone'; property: string; scope: 'tenant' | 'global' };
  /** Shown only to roles with this permission (cost prices are hidden from florists). */
  readPermission?: Permission;
  sortable?: boolean;
  /**
   * `filter[attr]=v1,v2` (equality, any of) when true; with operators, also
   * `filter[attr][gte]=...` and the like.
   */
  filter?: true | { operators: readonly FilterOperator[] };
  /** The record property holding the value, when it differs from the attribute name. */
  property?: string;
  /** For people reading the OpenAPI document. */
  description?: string;
}

export interface RelationshipDefinition {
  /** The related resource type, e.g. 'stores'. */
  type: string;
  kind: 'to-one' | 'to-many';
  /** A to-one relationship held as a column of the record: linkage needs no query. */
  foreignKey?: string;
  /** Clients may set it in documents and through the relationship endpoints. */
  writable?: boolean;
  /** May be named in `include`. */
  includable?: boolean;
  /** `filter[rel]=id1,id2` on the collection. Needs `foreignKey`. */
  filterable?: boolean;
  nullable?: boolean;
  /** Must be given when creating. */
  required?: boolean;
  description?: string;
}

/** Which permission each action needs; an action without one is refused (403, as JSON:API asks). */
export interface ResourcePermissions {
  read: Permission;
  create?: Permission;
  update?: Permission;
  delete?: Permission;
}

/**
 * A CSV export of the collection (`GET /api/v1/<path>/export`): the rows the
 * same `filter[...]` and `sort` select on the list, all of them up to the cap
 * (EXPORT_MAX_ROWS), put on the audit log before the first byte is sent.
 */
export interface ExportDefinition {
  /**
   * Who may export, besides reading the type: an export takes everything at once
   * (decrypted), so it usually needs more than a read (`reports:read`).
   */
  permission: Permission;
}

/**
 * Everything the JSON:API layer knows about one resource type. It drives query
 * parsing (sorts, filters, includes, page sizes), document parsing (which
 * attributes and relationships may be written), serialization, the routes, the
 * OpenAPI document and the generated tests. A module adds a resource type by
 * writing its definition beside its entity, repository and service.
 *
 * @example
 * export const storeResource = defineResource({
 *   type: 'stores',
 *   attributes: {
 *     name: { type: 'string', sortable: true, filter: true },
 *     createdAt: { type: 'datetime', readOnly: true, sortable: true },
 *   },
 *   relationships: {},
 *   defaultSort: ['name'],
 *   page: { defaultSize: 25, maxSize: 100 },
 *   permissions: { read: Permission.StoresRead, create: Permission.StoresCreate },
 * });
 */
export interface ResourceDefinition {
  readonly type: string;
  /** Path under /api/v1 of the collection; the type by default. */
  readonly path?: string;
  readonly description?: string;
  readonly attributes: Readonly<Record<string, AttributeDefinition>>;
  readonly relationships?: Readonly<Record<string, RelationshipDefinition>>;
  readonly defaultSort: readonly string[];
  readonly page: { readonly defaultSize: number; readonly maxSize: number };
  /**
   * A changes feed for devices: `filter[updatedSince]` and the cursor pagination
   * profile (`page[after]`, `page[before]`), ordered by (updatedAt, id).
   */
  readonly feed?: boolean;
  readonly permissions?: ResourcePermissions;
  /**
   * Where its rows live: on the tenant's shard (the default), or in the catalog
   * (the tenant, people and credentials). A write runs in one transaction of that
   * database, which also keeps its Idempotency-Key record; the handler's
   * repositories must use the context's transaction (`shards.manager(ctx)`,
   * `catalog.managerFor(ctx)`). Catalog types cannot join an atomic batch: the
   * batch is one shard transaction.
   */
  readonly storage?: 'shard' | 'catalog';
  /**
   * False when a write has an effect outside its database transaction that a
   * rollback cannot undo (a Vault KV version): the type then never joins an atomic
   * batch, where a later operation's failure must undo every earlier one.
   */
  readonly atomic?: boolean;
  /** False when a create document may not carry a client-generated `id` (403). */
  readonly clientIds?: boolean;
  /** False for types with no URL of their own (sessions): their objects carry no `self` link. */
  readonly addressable?: boolean;
  /**
   * A hot read: the collection route is served through the shared read cache
   * (`@CachedRead`), e.g. `{ namespace: 'stock', scope: 'store' }` caches
   * `?filter[store]=<one id>` reads per tenant and store. The handler's writers
   * move the version (`CacheVersions.touchStore`) after they commit.
   */
  readonly cache?: CachedReadOptions;
  /** Offers the CSV export of the collection (see ExportDefinition); none without it. */
  readonly export?: ExportDefinition;
  /** class-validator DTOs for the attributes of create and update documents. */
  readonly createDto?: new () => object;
  readonly updateDto?: new () => object;
}

export function defineResource<const T extends ResourceDefinition>(definition: T): T {
  return definition;
}

export const resourcePath = (def: ResourceDefinition): string => def.path ?? def.type;

/**
 * The entry `name` of a definition's map, only when the map itself declares it.
 * Names come from clients (`/stores/<id>/constructor`, an attribute `__proto__`,
 * `sort=toString`), and a plain `map[name]` finds Object.prototype's members too.
 * Every lookup keyed by client input goes through this.
 */
export function ownEntry<T>(map: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, name) ? map[name] : undefined;
}

export const attributeNamed = (def: ResourceDefinition, name: string): AttributeDefinition | undefined => ownEntry(def.attributes, name);

export const relationshipNamed = (def: ResourceDefinition | undefined, name: string): RelationshipDefinition | undefined => ownEntry(def?.relationships, name);

/** Whether every write of the type goes through the shard transaction, so it may join an atomic batch. */
export const joinsShardTransaction = (def: ResourceDefinition): boolean => (def.storage ?? 'shard') === 'shard' && def.atomic !== false;

export const readableAttributes = (def: ResourceDefinition) =>
  Object.entries(def.attributes)
    .filter(([, a]) => !a.writeOnly)
    .map(([name]) => name);

export const filterOperators = (attribute: AttributeDefinition): readonly FilterOperator[] =>
  attribute.filter === true ? ['eq'] : (attribute.filter?.operators ?? []);
