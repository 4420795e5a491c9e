import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { UUID_PATTERN } from '../database/uuid7';
import { JsonApiError, JsonApiErrorCode, JsonApiErrors, invalidDocument } from './json-api.errors';
import type { ResourceDefinition } from './resource-definition';

export interface ParsedResource<T> {
  /** Client-generated id on create; the URL's id on update. */
  id?: string;
  attributes: T;
}

type Constructor<T> = new () => T;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const DATA_MEMBERS = new Set(['type', 'id', 'lid', 'attributes', 'relationships', 'meta', 'links']);

function flatten(errors: ValidationError[], prefix: string): JsonApiError[] {
  return errors.flatMap((e) => {
    const pointer = `${prefix}/${e.property}`;
    const own = Object.values(e.constraints ?? {}).map(
      (message) => new JsonApiError(JsonApiErrorCode.ValidationFailed, message, { pointer }),
    );
    return [...own, ...flatten(e.children ?? [], pointer)];
  });
}

/**
 * Reads a create (`mode: 'create'`) or update (`mode: 'update'`) document for
 * one resource type and validates its attributes with the DTO's class-validator
 * rules. Every fault names its member with `source.pointer`:
 * wrong `type` or an `id` that is not the URL's: 409; unknown or foreign members: 400;
 * read-only attributes: 403; invalid values: 422 (all of them at once).
 *
 * @example
 * const { id, attributes } = parseResourceDocument(storeResource, StoreCreateDto, body, 'create');
 */
export function parseResourceDocument<T extends object>(
  def: ResourceDefinition,
  dto: Constructor<T>,
  body: unknown,
  mode: 'create' | 'update',
  urlId?: string,
): ParsedResource<T> {
  if (!isObject(body)) throw invalidDocument('', 'The request body must be a JSON:API document (an object).');
  const data = body.data;
  if (!isObject(data)) throw invalidDocument('/data', 'data must be a single resource object.');
  for (const member of Object.keys(data)) {
    if (!DATA_MEMBERS.has(member)) throw invalidDocument(`/data/${member}`, `"${member}" is not a member of a resource object.`);
  }
  if (typeof data.type !== 'string') throw invalidDocument('/data/type', 'data.type is required.');
  if (data.type !== def.type) {
    throw new JsonApiError(JsonApiErrorCode.TypeConflict, `This endpoint takes ${def.type}, not ${data.type}.`, {
      pointer: '/data/type',
    });
  }
  const id = parseId(data.id, mode, urlId);
  if (data.relationships !== undefined) {
    const [first] = isObject(data.relationships) ? Object.keys(data.relationships) : ['relationships'];
    if (first !== undefined) {
      throw new JsonApiError(JsonApiErrorCode.UnknownRelationship, `${def.type} has no writable relationship "${first}".`, {
        pointer: `/data/relationships/${first}`,
      });
    }
  }
  const attributes = data.attributes ?? {};
  if (!isObject(attributes)) throw invalidDocument('/data/attributes', 'attributes must be an object.');
  for (const name of Object.keys(attributes)) {
    const definition = def.attributes[name];
    const pointer = `/data/attributes/${name}`;
    if (!definition) {
      throw new JsonApiError(JsonApiErrorCode.UnknownAttribute, `${def.type} has no attribute "${name}".`, { pointer });
    }
    if (definition.readOnly) {
      throw new JsonApiError(JsonApiErrorCode.ReadOnlyAttribute, `"${name}" is set by the server.`, { pointer });
    }
  }
  const instance = plainToInstance(dto, attributes, { excludeExtraneousValues: false });
  const errors = validateSync(instance, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new JsonApiErrors(flatten(errors, '/data/attributes'));
  return { id, attributes: instance };
}

function parseId(raw: unknown, mode: 'create' | 'update', urlId?: string): string | undefined {
  if (mode === 'update') {
    if (raw === undefined) throw invalidDocument('/data/id', 'data.id is required when updating.');
    if (raw !== urlId) {
      throw new JsonApiError(JsonApiErrorCode.IdConflict, 'data.id does not match the id in the URL.', {
        pointer: '/data/id',
      });
    }
    return urlId;
  }
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !UUID_PATTERN.test(raw.toLowerCase())) {
    throw invalidDocument('/data/id', 'A client-generated id must be a UUID.');
  }
  return raw.toLowerCase();
}
