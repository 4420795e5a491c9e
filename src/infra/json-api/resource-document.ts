import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { UUID7_PATTERN, UUID_PATTERN } from '../database/uuid7';
import { JsonApiError, JsonApiErrorCode, JsonApiErrors, invalidDocument } from './json-api.errors';
import { type RelationshipDefinition, type ResourceDefinition, attributeNamed, relationshipNamed } from './resource-definition';
import type { Linkage, ResourceInput } from './resource-handler';

/** Local ids of an atomic operations request: `lid` -> the id given to the resource it created. */
export type LidMap = Map<string, { type: string; id: string }>;

export interface ParsedResource extends ResourceInput<object> {
  /** The `lid` a create operation gave its new resource. */
  lid?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const conflict = (code: JsonApiErrorCode, detail: string, pointer: string) => new JsonApiError(code, detail, { pointer });

function flatten(errors: ValidationError[], prefix: string): JsonApiError[] {
  return errors.flatMap((e) => {
    const pointer = `${prefix}/${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((message) => new JsonApiError(JsonApiErrorCode.ValidationFailed, message, { pointer }));
    return [...own, ...flatten(e.children ?? [], pointer)];
  });
}

/** An id as we compare and store it: a UUID, lower-cased; anything else is 400 at `pointer`. */
export function parseUuid(raw: unknown, pointer: string): string {
  if (typeof raw !== 'string' || !UUID_PATTERN.test(raw.toLowerCase())) throw invalidDocument(pointer, 'An id must be a UUID.');
  return raw.toLowerCase();
}

/**
 * The id a create document brings: a UUIDv7, as every id of ours is (the design:
 * time-ordered, made offline by devices). Another version would sort at random
 * among the rows of a B-tree keyed by (tenant, id), and breaks the promise that
 * ids order by creation.
 */
function parseClientId(raw: unknown, pointer: string): string {
  const id = parseUuid(raw, pointer);
  if (!UUID7_PATTERN.test(id)) {
    throw invalidDocument(pointer, `A client-generated id must be a UUIDv7 (RFC 9562, time-ordered); this one is version ${id[14]}. Generate ids with a UUIDv7 library.`);
  }
  return id;
}

/** One resource identifier object of the relationship's type; a `lid` resolves through the operations so far. */
function parseIdentifier(rel: RelationshipDefinition, value: unknown, pointer: string, lids?: LidMap): string {
  if (!isObject(value)) throw invalidDocument(pointer, 'A resource identifier object ({type, id}) is required.');
  if (value.type !== rel.type) throw conflict(JsonApiErrorCode.TypeConflict, `This relationship holds ${rel.type}.`, `${pointer}/type`);
  if (value.id === undefined && typeof value.lid === 'string') {
    const local = lids?.get(value.lid);
    if (!local || local.type !== rel.type) throw invalidDocument(`${pointer}/lid`, `No earlier operation created a ${rel.type} with lid "${value.lid}".`);
    return local.id;
  }
  return parseUuid(value.id, `${pointer}/id`);
}

/**
 * Reads the `data` of a relationship document: null or an identifier for to-one,
 * an array of identifiers for to-many.
 */
export function parseLinkage(rel: RelationshipDefinition, body: unknown, pointer: string, lids?: LidMap): Linkage {
  if (!isObject(body) || !('data' in body)) throw invalidDocument(pointer, 'A relationship object with data is required.');
  const data = body.data;
  const at = `${pointer}/data`;
  if (rel.kind === 'to-one') {
    if (data === null) {
      if (!rel.nullable) throw invalidDocument(at, 'This relationship cannot be emptied.');
      return null;
    }
    return parseIdentifier(rel, data, at, lids);
  }
  if (!Array.isArray(data)) throw invalidDocument(at, 'A to-many relationship takes an array of resource identifiers.');
  if (data.length > 1000) throw invalidDocument(at, 'At most 1000 members at once.');
  return [...new Set(data.map((item, i) => parseIdentifier(rel, item, `${at}/${i}`, lids)))];
}

/**
 * Reads a resource object for create or update and validates it: every fault
 * names its member with `source.pointer` under `pointer` (usually `/data`).
 * Wrong `type`, or an `id` other than the URL's: 409; an `id` where the type
 * takes no client-generated ones: 403; a client-generated id that is not a
 * UUIDv7: 400; unknown attributes or relationships: 400;
 * read-only ones: 403; invalid values: 422, all at once. Members JSON:API does
 * not define (at the top level, in the resource object, in a relationship) are
 * ignored, as JSON:API 1.1 says servers must: only the members it defines are
 * read, so none of them can smuggle a value in.
 *
 * @example
 * const input = parseResourceObject(storeResource, body.data, 'create', '/data');
 */
export function parseResourceObject(
  def: ResourceDefinition,
  data: unknown,
  mode: 'create' | 'update',
  pointer: string,
  options: { urlId?: string; lids?: LidMap } = {},
): ParsedResource {
  if (!isObject(data)) throw invalidDocument(pointer, 'data must be a single resource object.');
  if (typeof data.type !== 'string') throw invalidDocument(`${pointer}/type`, 'type is required.');
  if (data.type !== def.type) throw conflict(JsonApiErrorCode.TypeConflict, `This takes ${def.type}, not ${data.type}.`, `${pointer}/type`);

  let id: string | undefined;
  let lid: string | undefined;
  if (mode === 'update') {
    if (data.id !== undefined) id = parseUuid(data.id, `${pointer}/id`);
    else if (typeof data.lid === 'string') id = options.lids?.get(data.lid)?.id;
    if (id === undefined) throw invalidDocument(`${pointer}/id`, 'id is required when updating.');
    if (options.urlId !== undefined && id !== options.urlId) throw conflict(JsonApiErrorCode.IdConflict, 'data.id does not match the id in the URL.', `${pointer}/id`);
  } else {
    if (data.id !== undefined && def.clientIds === false) {
      throw new JsonApiError(JsonApiErrorCode.ClientIdNotSupported, `${def.type} takes no client-generated id: leave id out.`, { pointer: `${pointer}/id` });
    }
    if (data.id !== undefined) id = parseClientId(data.id, `${pointer}/id`);
    if (data.lid !== undefined) {
      if (typeof data.lid !== 'string' || data.lid === '' || data.lid.length > 100) throw invalidDocument(`${pointer}/lid`, 'lid must be a short non-empty string.');
      lid = data.lid;
    }
  }

  const relationships: Record<string, Linkage> = {};
  if (data.relationships !== undefined) {
    if (!isObject(data.relationships)) throw invalidDocument(`${pointer}/relationships`, 'relationships must be an object.');
    for (const [name, value] of Object.entries(data.relationships)) {
      const rel = relationshipNamed(def, name);
      const at = `${pointer}/relationships/${name}`;
      if (!rel) throw new JsonApiError(JsonApiErrorCode.UnknownRelationship, `${def.type} has no relationship "${name}".`, { pointer: at });
      if (!rel.writable) throw new JsonApiError(JsonApiErrorCode.ReadOnlyRelationship, `"${name}" cannot be set by clients.`, { pointer: at });
      relationships[name] = parseLinkage(rel, value, at, options.lids);
    }
  }

  if (mode === 'create') {
    for (const [name, rel] of Object.entries(def.relationships ?? {})) {
      if (rel.required && relationships[name] === undefined) {
        throw new JsonApiError(JsonApiErrorCode.ValidationFailed, `${def.type} needs the relationship "${name}".`, { pointer: `${pointer}/relationships` });
      }
    }
  }

  return { id, lid, attributes: parseAttributes(def, data, mode, pointer), relationships };
}

/**
 * The `attributes` of a resource object, checked against the definition and
 * validated by its DTO (see `parseResourceObject`): the values handlers get.
 */
export function parseAttributes(def: ResourceDefinition, data: Record<string, unknown>, mode: 'create' | 'update', pointer: string): object {
  const attributes = data.attributes ?? {};
  if (!isObject(attributes)) throw invalidDocument(`${pointer}/attributes`, 'attributes must be an object.');
  for (const name of Object.keys(attributes)) {
    const definition = attributeNamed(def, name);
    const at = `${pointer}/attributes/${name}`;
    if (!definition) {
      const hint = relationshipNamed(def, name.replace(/Id$/, '')) ? ` Set the relationship "${name.replace(/Id$/, '')}" instead.` : '';
      throw new JsonApiError(JsonApiErrorCode.UnknownAttribute, `${def.type} has no attribute "${name}".${hint}`, { pointer: at });
    }
    if (definition.readOnly) throw new JsonApiError(JsonApiErrorCode.ReadOnlyAttribute, `"${name}" is set by the server.`, { pointer: at });
  }
  const dto = mode === 'create' ? def.createDto : def.updateDto;
  if (!dto) {
    if (Object.keys(attributes).length) throw new JsonApiError(JsonApiErrorCode.ReadOnlyAttribute, `${def.type} attributes cannot be written.`, { pointer: `${pointer}/attributes` });
    return {};
  }
  const instance = plainToInstance(dto, attributes);
  const errors = validateSync(instance, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new JsonApiErrors(flatten(errors, `${pointer}/attributes`));
  return instance;
}

/** The primary data of a request document: 400 when the body is not a document with `data`. */
export function dataOf(body: unknown): unknown {
  if (!isObject(body) || !('data' in body)) throw invalidDocument('', 'The document must be an object with data.');
  return body.data;
}

/** Reads a whole create/update request body: a document whose primary data is one resource object. */
export function parseResourceDocument(def: ResourceDefinition, body: unknown, mode: 'create' | 'update', urlId?: string): ParsedResource {
  return parseResourceObject(def, dataOf(body), mode, '/data', { urlId });
}
