import type { RequestContext } from '../tenancy/request-context';
import type { Page } from './pagination';
import type { ResourceQuery } from './resource-query';

/** A record as handlers return it: an id and properties named as the definition's attributes. */
export type Identified = { id: string } & object;

/** Linkage by relationship name: an id (to-one), ids (to-many), or null. */
export type Linkage = string | string[] | null;

/** A create or update document, parsed and validated; relationship ids already checked to exist. */
export interface ResourceInput<A extends object = object> {
  /** Client-generated id on create. */
  id?: string;
  attributes: A;
  /** Only the relationships the document names. */
  relationships: Record<string, Linkage>;
}

/**
 * What a module implements (usually its service) to expose a resource type. The
 * JSON:API layer does everything else: routes, parsing, permissions, includes,
 * idempotency, atomic operations, documents. Every method takes the request
 * context first and must scope by `ctx.tenantId`; writes run inside the
 * transaction the layer opened: `ctx.tx` on the shard (`shards.manager(ctx)`), or
 * `ctx.catalogTx` for a definition with `storage: 'catalog'`
 * (`catalog.managerFor(ctx)`). Reads inside a write must use it too, to see the
 * write's own rows.
 */
export interface ResourceHandler<T extends Identified = Identified> {
  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<T>>;
  /** The records with these ids that `ctx` may see, in any order; missing ids are left out. */
  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<T[]>;
  create?(ctx: RequestContext, input: ResourceInput): Promise<T>;
  /** Throws `notFound` when the id is not there. */
  update?(ctx: RequestContext, id: string, input: ResourceInput): Promise<T>;
  remove?(ctx: RequestContext, id: string): Promise<void>;
  /**
   * Linkage of relationships that are not a column of the record (to-many, or
   * to-one through another table), for a whole batch of records in one query.
   */
  linkage?(ctx: RequestContext, relationship: string, records: readonly T[]): Promise<Map<string, Linkage>>;
  /** Replace a writable relationship (PATCH on the relationship endpoint). */
  setRelationship?(ctx: RequestContext, id: string, relationship: string, linkage: Linkage): Promise<void>;
  /** Add to a writable to-many relationship (POST on the relationship endpoint); members already there stay once. */
  addToRelationship?(ctx: RequestContext, id: string, relationship: string, ids: string[]): Promise<void>;
  /** Remove from a writable to-many relationship (DELETE on the relationship endpoint). */
  removeFromRelationship?(ctx: RequestContext, id: string, relationship: string, ids: string[]): Promise<void>;
}
