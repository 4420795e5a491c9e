import { UUID_PATTERN } from '../database/uuid7';
import { invalidParameter } from './json-api.errors';
import { type FilterKind, type ResourceDefinition, readableAttributes } from './resource-definition';

export interface SortField {
  attribute: string;
  descending: boolean;
}

export type FilterValue = string | number | boolean | Date;

/** A parsed, typed query: nothing in here is raw client text except filter strings, which are bound as parameters. */
export interface ResourceQuery {
  page: { number: number; size: number };
  sort: SortField[];
  /** attribute -> any of these values */
  filter: Record<string, FilterValue[]>;
  /** Sparse fieldsets by type; an empty list asks for no attributes. */
  fields: Record<string, string[]>;
  include: string[];
}

const FAMILY = /^(page|filter|fields)\[([^\]]*)\]$/;
const MAX_FILTER_VALUES = 100;

function single(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidParameter(name, `${name} may be given once.`);
  return value;
}

function positiveInt(name: string, raw: string, max: number): number {
  if (!/^\d{1,9}$/.test(raw)) throw invalidParameter(name, `${name} must be a positive integer.`);
  const value = Number(raw);
  if (value < 1 || value > max) throw invalidParameter(name, `${name} must be between 1 and ${max}.`);
  return value;
}

function typedFilterValue(name: string, kind: FilterKind, raw: string): FilterValue {
  switch (kind) {
    case 'string':
      if (raw.length > 200) throw invalidParameter(name, `${name} values are at most 200 characters.`);
      return raw;
    case 'uuid':
      if (!UUID_PATTERN.test(raw)) throw invalidParameter(name, `${name} must be a UUID.`);
      return raw;
    case 'integer':
      if (!/^-?\d{1,15}$/.test(raw)) throw invalidParameter(name, `${name} must be an integer.`);
      return Number(raw);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw invalidParameter(name, `${name} must be true or false.`);
      return raw === 'true';
    case 'datetime': {
      const date = new Date(raw);
      if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(raw) || Number.isNaN(date.getTime())) {
        throw invalidParameter(name, `${name} must be an ISO 8601 date or date-time.`);
      }
      return date;
    }
  }
}

function parseSort(def: ResourceDefinition, raw: string): SortField[] {
  const seen = new Set<string>();
  return raw.split(',').map((token) => {
    const descending = token.startsWith('-');
    const attribute = descending ? token.slice(1) : token;
    if (!def.attributes[attribute]?.sortable || seen.has(attribute)) {
      throw invalidParameter('sort', `Sorting by "${attribute}" is not supported (or repeated).`);
    }
    seen.add(attribute);
    return { attribute, descending };
  });
}

/**
 * Parses a collection query against the resource's whitelists. Unknown members of
 * the JSON:API families and unknown all-lower-case parameters get 400 with
 * `source.parameter`; implementation-specific parameters (with a non a-z
 * character) are left to the caller.
 *
 * @example
 * parseResourceQuery(storeResource, { 'page[size]': '10', sort: '-createdAt', 'filter[name]': 'Main' });
 */
export function parseResourceQuery(
  def: ResourceDefinition,
  query: Record<string, unknown>,
  scope: 'collection' | 'single' = 'collection',
): ResourceQuery {
  const result: ResourceQuery = {
    page: { number: 1, size: def.page.defaultSize },
    sort: def.defaultSort.map((s) => ({ attribute: s.replace(/^-/, ''), descending: s.startsWith('-') })),
    filter: {},
    fields: {},
    include: [],
  };
  for (const [name, rawValue] of Object.entries(query)) {
    const value = single(name, rawValue);
    const family = FAMILY.exec(name);
    if (scope === 'single' && (name === 'sort' || (family && family[1] !== 'fields'))) {
      throw invalidParameter(name, `${name} applies to collections only.`);
    }
    if (name === 'sort') result.sort = parseSort(def, value);
    else if (name === 'include') {
      result.include = value === '' ? [] : value.split(',');
      for (const path of result.include) {
        if (!def.includes?.includes(path)) throw invalidParameter('include', `"${path}" cannot be included.`);
      }
    } else if (family?.[1] === 'page') {
      if (family[2] === 'size') result.page.size = positiveInt(name, value, def.page.maxSize);
      else if (family[2] === 'number') result.page.number = positiveInt(name, value, 1_000_000);
      else throw invalidParameter(name, `${name} is not a supported page parameter.`);
    } else if (family?.[1] === 'filter') {
      const kind = def.attributes[family[2]]?.filter;
      if (!kind) throw invalidParameter(name, `Filtering by "${family[2]}" is not supported.`);
      const values = value.split(',');
      if (values.length > MAX_FILTER_VALUES) throw invalidParameter(name, `${name} takes at most ${MAX_FILTER_VALUES} values.`);
      result.filter[family[2]] = values.map((v) => typedFilterValue(name, kind, v));
    } else if (family?.[1] === 'fields') {
      if (family[2] !== def.type) throw invalidParameter(name, `${name} names a type this request does not return.`);
      const allowed = new Set(readableAttributes(def));
      const fields = value === '' ? [] : value.split(',');
      for (const field of fields) {
        if (!allowed.has(field)) throw invalidParameter(name, `"${field}" is not a field of ${def.type}.`);
      }
      result.fields[def.type] = fields;
    } else if (/^[a-z]+$/.test(name) || family) {
      throw invalidParameter(name, `Unknown query parameter "${name}".`);
    }
  }
  return result;
}
