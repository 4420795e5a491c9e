import { can } from '../auth/permissions';
import { UUID_PATTERN } from '../database/uuid7';
import type { Role } from '../tenancy/request-context';
import { type Cursor, decodeCursor } from './cursor';
import { CURSOR_ERRORS, JsonApiError, JsonApiErrorCode, invalidParameter } from './json-api.errors';
import {
  type AttributeDefinition,
  type AttributeType,
  type FilterOperator,
  type ResourceDefinition,
  attributeNamed,
  filterOperators,
  readableAttributes,
  relationshipNamed,
} from './resource-definition';

export interface SortField {
  attribute: string;
  /** The record property to order by. */
  property: string;
  descending: boolean;
}

export type FilterValue = string | number | boolean | Date;

export interface FilterCondition {
  /** The attribute or relationship named in `filter[...]`. */
  field: string;
  /** The record property compared. */
  property: string;
  operator: FilterOperator;
  /** Any of these (for `eq`); exactly one for the other operators. */
  values: FilterValue[];
}

export type PageRequest =
  | { kind: 'number'; number: number; size: number }
  | {
      kind: 'cursor';
      size: number;
      after?: Cursor;
      before?: Cursor;
      /**
       * The feed's horizon, set by the engine: rows changed later are not handed
       * out yet (a write that took `updatedAt` before a later one may commit after
       * it; past the settle window it has committed or rolled back).
       */
      until?: Date;
    };

/** A parsed, typed query: every value has been checked and converted before it may reach SQL. */
export interface ResourceQuery {
  page: PageRequest;
  sort: SortField[];
  filter: FilterCondition[];
  /** Sparse fieldsets by type: attributes and relationships to return; an empty list returns none. */
  fields: Record<string, string[]>;
  /** Include paths, e.g. ['components.component', 'suppliers']. */
  include: string[];
}

/** Resolves a related type's definition while include paths and fieldsets are checked. */
export type DefinitionLookup = (type: string) => ResourceDefinition | undefined;

export const FEED_ORDER = ['updatedAt', 'id'] as const;
export const CURSOR_PROFILE = 'https://jsonapi.org/profiles/ethanresnick/cursor-pagination';

const FAMILY = /^(page|filter|fields)\[([^\]]*)\](?:\[([^\]]*)\])?$/;
/** The query parameters (base names) JSON:API 1.1 defines; any other all-lower-case base name is reserved to it. */
const SPECIFICATION_NAMES = new Set(['include', 'fields', 'sort', 'page', 'filter']);
// A JSON:API 1.1 member name: letters, digits and non-ASCII anywhere; '-', '_' and space only inside.
const MEMBER = '[a-zA-Z0-9\\u0080-\\uFFFF](?:[a-zA-Z0-9\\u0080-\\uFFFF _-]*[a-zA-Z0-9\\u0080-\\uFFFF])?';
/** A base name that is a member name, then any number of `[member name]` (or `[]`) groups. */
const PARAMETER_NAME = new RegExp(`^${MEMBER}(?:\\[(?:${MEMBER})?\\])*$`);
const MAX_FILTER_VALUES = 100;
const MAX_INCLUDE_DEPTH = 3;
const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * What a query parameter name is under JSON:API 1.1: one of the specification's
 * (an all-lower-case base name), or implementation-specific (the base name holds
 * another character). 400 for a name the grammar does not allow (`_x`, `x-`,
 * `Foo[`, `a@b`) and for an all-lower-case base name the specification does not
 * define. Every request under /api/ is checked so (the JSON:API hooks), before
 * its route decides which of the specification's parameters it supports.
 */
export function parameterKind(name: string): 'specification' | 'implementation' {
  if (!PARAMETER_NAME.test(name)) {
    throw invalidParameter(name, `"${name}" is not a valid query parameter name: JSON:API member names allow letters, digits, and - _ or space inside.`);
  }
  const base = name.split('[')[0];
  if (!/^[a-z]+$/.test(base)) return 'implementation';
  if (!SPECIFICATION_NAMES.has(base)) throw invalidParameter(name, `Unknown query parameter "${name}".`);
  return 'specification';
}

const decoded = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

/**
 * 400 for a query parameter whose name or value is not percent-encoded UTF-8
 * (`%C3%28`, `%zz`, a bare `%`). Fastify's parser passes such a value on as
 * U+FFFD or as it stands, and `filter[email]=%C3%28` would quietly match nothing.
 * `url` is the request's, as sent.
 */
export function checkQueryEncoding(url: string): void {
  const start = url.indexOf('?');
  // Only a percent-escape can fail to decode: most queries (the hot stock read's too) have none.
  if (start < 0 || !url.includes('%', start)) return;
  for (const pair of url.slice(start + 1).split('&')) {
    const eq = pair.indexOf('=');
    const at = eq < 0 ? pair.length : eq;
    const name = decoded(pair.slice(0, at));
    if (name === undefined) throw invalidParameter(pair.slice(0, at), 'This query parameter name is not percent-encoded UTF-8.');
    if (decoded(pair.slice(at + 1)) === undefined) throw invalidParameter(name, `The value of ${name} is not percent-encoded UTF-8.`);
  }
}

/** Checks every parameter name of a query (see `parameterKind`). */
export function checkParameterNames(query: Record<string, unknown>): void {
  for (const name of Object.keys(query)) parameterKind(name);
}

function single(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidParameter(name, `${name} may be given once.`);
  return value;
}

function positiveInt(name: string, raw: string, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalidParameter(name, `${name} must be a positive integer.`);
  if (Number(raw) > max) throw invalidParameter(name, `${name} must be at most ${max}.`);
  return Number(raw);
}

/** Parses one filter value as its attribute's type; a value that does not parse never reaches SQL. */
export function typedValue(name: string, attribute: Pick<AttributeDefinition, 'type' | 'enum'>, raw: string): FilterValue {
  const bad = (form: string) => invalidParameter(name, `${name} must be ${form}.`);
  const type: AttributeType = attribute.type;
  switch (type) {
    case 'string':
      if (raw.length > 200) throw bad('at most 200 characters');
      return raw;
    case 'uuid':
      if (!UUID_PATTERN.test(raw)) throw bad('a UUID');
      return raw;
    case 'integer':
      if (!/^-?\d{1,15}$/.test(raw)) throw bad('an integer');
      return Number(raw);
    case 'decimal':
      if (!DECIMAL.test(raw)) throw bad('a decimal number such as 2.5');
      return raw;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw bad('true or false');
      return raw === 'true';
    case 'date':
      if (!DATE.test(raw) || Number.isNaN(Date.parse(raw))) throw bad('a date such as 2026-03-08');
      return raw;
    case 'datetime': {
      const date = new Date(raw);
      if (!DATETIME.test(raw) || Number.isNaN(date.getTime())) throw bad('an ISO 8601 date-time such as 2026-03-08T09:00:00Z');
      return date;
    }
    case 'enum':
      if (!attribute.enum?.includes(raw)) throw bad(`one of ${attribute.enum?.join(', ')}`);
      return raw;
  }
}

function parseSort(def: ResourceDefinition, raw: string): SortField[] {
  const seen = new Set<string>();
  if (raw === '') return [];
  return raw.split(',').map((token) => {
    const descending = token.startsWith('-');
    const attribute = descending ? token.slice(1) : token;
    const definition = attributeNamed(def, attribute);
    if (!definition?.sortable || seen.has(attribute)) {
      throw invalidParameter('sort', `Sorting ${def.type} by "${attribute}" is not supported (or repeated).`);
    }
    seen.add(attribute);
    return { attribute, property: definition.property ?? attribute, descending };
  });
}

function parseFilter(def: ResourceDefinition, name: string, field: string, op: string | undefined, raw: string): FilterCondition {
  if (field === 'updatedSince' && def.feed) {
    if (op !== undefined) throw invalidParameter(name, `${name} takes no operator.`);
    return { field, property: 'updatedAt', operator: 'gte', values: [typedValue(name, { type: 'datetime' }, raw)] };
  }
  const relationship = relationshipNamed(def, field);
  if (relationship?.filterable && relationship.foreignKey) {
    if (op !== undefined) throw invalidParameter(name, `${name} takes no operator.`);
    const values = raw.split(',');
    if (values.length > MAX_FILTER_VALUES) throw invalidParameter(name, `${name} takes at most ${MAX_FILTER_VALUES} ids.`);
    return { field, property: relationship.foreignKey, operator: 'eq', values: values.map((v) => typedValue(name, { type: 'uuid' }, v)) };
  }
  const attribute = attributeNamed(def, field);
  const operators = attribute ? filterOperators(attribute) : [];
  const operator = (op ?? 'eq') as FilterOperator;
  if (!attribute || !operators.includes(operator)) {
    throw invalidParameter(name, op ? `Filtering ${def.type} by "${field}" with "${op}" is not supported.` : `Filtering ${def.type} by "${field}" is not supported.`);
  }
  const values = operator === 'eq' ? raw.split(',') : [raw];
  if (values.length > MAX_FILTER_VALUES) throw invalidParameter(name, `${name} takes at most ${MAX_FILTER_VALUES} values.`);
  return { field, property: attribute.property ?? field, operator, values: values.map((v) => typedValue(name, attribute, v)) };
}

function checkInclude(def: ResourceDefinition, raw: string, lookup: DefinitionLookup): string[] {
  if (raw === '') return [];
  const paths = [...new Set(raw.split(','))];
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_INCLUDE_DEPTH) throw invalidParameter('include', `"${path}" is deeper than ${MAX_INCLUDE_DEPTH} levels.`);
    let current: ResourceDefinition | undefined = def;
    for (const segment of segments) {
      const relationship = relationshipNamed(current, segment);
      if (!relationship?.includable) throw invalidParameter('include', `"${path}" cannot be included.`);
      current = lookup(relationship.type);
    }
  }
  return paths;
}

function checkFields(name: string, type: string, raw: string, lookup: DefinitionLookup): string[] {
  const target = lookup(type);
  if (!target) throw invalidParameter(name, `${name} names an unknown type.`);
  const allowed = new Set([...readableAttributes(target), ...Object.keys(target.relationships ?? {})]);
  const fields = raw === '' ? [] : raw.split(',');
  for (const field of fields) {
    if (!allowed.has(field)) throw invalidParameter(name, `"${field}" is not a field of ${type}.`);
  }
  return fields;
}

function cursorPage(def: ResourceDefinition, page: Record<string, string>, size: number | undefined): PageRequest {
  if (!def.feed) throw invalidParameter(page.after !== undefined ? 'page[after]' : 'page[before]', `${def.type} is not paged by cursor.`);
  if (page.after !== undefined && page.before !== undefined) {
    throw new JsonApiError(JsonApiErrorCode.InvalidQueryParameter, 'Give page[after] or page[before], not both.', { parameter: 'page[before]' }, undefined, CURSOR_ERRORS.rangeNotSupported);
  }
  const cursor = (name: 'after' | 'before') => {
    if (page[name] === undefined) return undefined;
    const decoded = decodeCursor(page[name]);
    // The profile's "invalid parameter value" error names the parameter and has no type link.
    if (!decoded) throw invalidParameter(`page[${name}]`, `page[${name}] is not a cursor this server issued.`);
    return decoded;
  };
  return { kind: 'cursor', size: size ?? def.page.defaultSize, after: cursor('after'), before: cursor('before') };
}

/**
 * Refuses a filter or a sort on an attribute the caller's role may not read: the
 * answer would tell what the document hides (`filter[phone]` on the roster would
 * say whose number it is). 400 at the parameter, as for an attribute that cannot
 * be filtered at all.
 */
export function refuseUnreadable(def: ResourceDefinition, query: ResourceQuery, role: Role): void {
  const hidden = (name: string) => {
    const permission = attributeNamed(def, name)?.readPermission;
    return permission !== undefined && !can(role, permission);
  };
  const filter = query.filter.find((f) => hidden(f.field));
  if (filter) throw invalidParameter(`filter[${filter.field}]`, `Your role may not read ${def.type}' ${filter.field}, so it cannot filter by it.`);
  const sort = query.sort.find((s) => hidden(s.attribute));
  if (sort) throw invalidParameter('sort', `Your role may not read ${def.type}' ${sort.attribute}, so it cannot sort by it.`);
}

/**
 * Refuses every parameter of the specification, for routes that can honour none:
 * writes answering 204, atomic results, signup and sessions. (Collections take
 * them all; documents of one resource, of related resources, or a create's or
 * update's answer take `include` and `fields`: `parseResourceQuery`.)
 */
export function refuseQuery(query: Record<string, unknown>, why: string): void {
  for (const name of Object.keys(query)) {
    if (parameterKind(name) === 'specification') throw invalidParameter(name, `${name} is not supported here: ${why}`);
  }
}

/**
 * Parses a request's query against the resource's whitelists (JSON:API 1.1 and
 * the cursor pagination profile). Unknown members of the JSON:API families,
 * unknown all-lower-case parameters, names JSON:API does not allow, and the
 * specification's parameters the route does not take get 400 with
 * `source.parameter`; implementation-specific parameters are ignored.
 *
 * @example
 * parseResourceQuery(storeResource, { 'page[size]': '10', sort: '-createdAt', 'filter[name]': 'Arbat' }, registry.lookup);
 */
export function parseResourceQuery(
  def: ResourceDefinition,
  query: Record<string, unknown>,
  lookup: DefinitionLookup,
  scope: 'collection' | 'single' = 'collection',
): ResourceQuery {
  const result: ResourceQuery = { page: { kind: 'number', number: 1, size: def.page.defaultSize }, sort: [], filter: [], fields: {}, include: [] };
  const page: Record<string, string> = {};
  let sort: string | undefined;
  for (const [name, rawValue] of Object.entries(query)) {
    if (parameterKind(name) === 'implementation') continue;
    const value = single(name, rawValue);
    const family = FAMILY.exec(name);
    const collectionOnly = name === 'sort' || (family !== null && family[1] !== 'fields');
    if (scope === 'single' && collectionOnly) throw invalidParameter(name, `${name} applies to collections only.`);
    if (name === 'sort') sort = value;
    else if (name === 'include') result.include = checkInclude(def, value, lookup);
    else if (family?.[1] === 'page' && family[3] === undefined && ['number', 'size', 'after', 'before'].includes(family[2])) page[family[2]] = value;
    else if (family?.[1] === 'filter' && family[2] !== '') result.filter.push(parseFilter(def, name, family[2], family[3], value));
    else if (family?.[1] === 'fields' && family[3] === undefined) result.fields[family[2]] = checkFields(name, family[2], value, lookup);
    else throw invalidParameter(name, `Unknown query parameter "${name}".`);
  }

  // A feed is read by cursor: from a cursor, or from the first page of changes since a time.
  const feedStart = def.feed === true && page.number === undefined && result.filter.some((f) => f.field === 'updatedSince');
  const cursorMode = page.after !== undefined || page.before !== undefined || feedStart;
  if (cursorMode && page.number !== undefined) throw invalidParameter('page[number]', 'page[number] cannot be combined with page[after] or page[before].');
  let size: number | undefined;
  if (page.size !== undefined) {
    size = positiveInt('page[size]', page.size, Number.MAX_SAFE_INTEGER);
    if (size > def.page.maxSize) {
      throw new JsonApiError(
        JsonApiErrorCode.InvalidQueryParameter,
        `page[size] must be at most ${def.page.maxSize}.`,
        { parameter: 'page[size]' },
        { page: { maxSize: def.page.maxSize } },
        cursorMode ? CURSOR_ERRORS.maxSizeExceeded : undefined,
      );
    }
  }
  if (cursorMode) {
    if (sort !== undefined && sort !== FEED_ORDER[0]) {
      throw new JsonApiError(JsonApiErrorCode.InvalidQueryParameter, `A feed is ordered by ${FEED_ORDER[0]}; other sorts are not paged by cursor.`, { parameter: 'sort' }, undefined, CURSOR_ERRORS.unsupportedSort);
    }
    result.page = cursorPage(def, page, size);
    result.sort = FEED_ORDER.map((attribute) => ({ attribute, property: attribute, descending: false }));
    return result;
  }
  result.page = { kind: 'number', number: page.number === undefined ? 1 : positiveInt('page[number]', page.number, 1_000_000), size: size ?? def.page.defaultSize };
  result.sort = parseSort(def, sort ?? def.defaultSort.join(','));
  return result;
}
