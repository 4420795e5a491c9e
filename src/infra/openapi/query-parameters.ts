import {
  type AttributeDefinition,
  type ResourceDefinition,
  filterOperators,
  readableAttributes,
  relationshipNamed,
} from '../json-api/resource-definition';
import type { DefinitionLookup } from '../json-api/resource-query';
import { valueSchema } from './resource-schemas';
import type { JsonSchema, Parameter } from './openapi-types';

/** As the query parser limits them (resource-query.ts). */
const MAX_INCLUDE_DEPTH = 3;
const MAX_FILTER_VALUES = 100;
const MAX_PAGE_NUMBER = 1_000_000;
/** Past this many include paths an enum stops helping a reader; the parameter is then described, not enumerated. */
const MAX_LISTED_INCLUDE_PATHS = 200;

/** A comma-separated list, as JSON:API writes `sort`, `include`, `fields[...]` and `filter[...]=a,b`. */
const list = (name: string, items: JsonSchema, description: string, extra: JsonSchema = {}): Parameter => ({
  name,
  in: 'query',
  description,
  style: 'form',
  explode: false,
  schema: { type: 'array', items, ...extra },
});

const one = (name: string, schema: JsonSchema, description: string): Parameter => ({ name, in: 'query', description, schema });

/** A filter value as the parser reads it: strings of at most 200 characters, the rest by type. */
function filterValue(attribute: AttributeDefinition): JsonSchema {
  const schema = valueSchema(attribute);
  return attribute.type === 'string' ? { ...schema, maxLength: 200 } : schema;
}

/** Every include path the parser accepts: chains of includable relationships, at most three deep. */
export function includePaths(def: ResourceDefinition, lookup: DefinitionLookup): string[] {
  const paths: string[] = [];
  const walk = (current: ResourceDefinition | undefined, prefix: string, depth: number) => {
    if (!current || depth === MAX_INCLUDE_DEPTH) return;
    for (const [name, rel] of Object.entries(current.relationships ?? {})) {
      if (!rel.includable) continue;
      const path = prefix ? `${prefix}.${name}` : name;
      paths.push(path);
      walk(lookup(rel.type), path, depth + 1);
    }
  };
  walk(def, '', 0);
  return paths;
}

/** The include paths a relationship endpoint accepts: those of the owner that start with the relationship. */
export function relationshipIncludePaths(def: ResourceDefinition, relationship: string, lookup: DefinitionLookup): string[] {
  return includePaths(def, lookup).filter((path) => path.split('.')[0] === relationship);
}

/** The types `include` can bring into a document of `def` (through `paths`, by default every include path). */
export function includedTypes(def: ResourceDefinition, lookup: DefinitionLookup, paths = includePaths(def, lookup)): string[] {
  const types = new Set<string>();
  for (const path of paths) {
    let current: ResourceDefinition | undefined = def;
    for (const segment of path.split('.')) {
      const rel = relationshipNamed(current, segment);
      if (!rel) break;
      types.add(rel.type);
      current = lookup(rel.type);
    }
  }
  return [...types].filter((t) => lookup(t)).sort();
}

function includeParameter(def: ResourceDefinition, lookup: DefinitionLookup, paths = includePaths(def, lookup)): Parameter[] {
  if (!paths.length) return [];
  const description = 'Related resources to add under `included`: relationship paths, comma-separated, at most three levels deep.';
  return paths.length > MAX_LISTED_INCLUDE_PATHS
    ? [list('include', { type: 'string' }, `${description} Allowed paths start with: ${includePaths(def, () => undefined).join(', ')}.`, { uniqueItems: true })]
    : [list('include', { type: 'string', enum: paths }, description, { uniqueItems: true })];
}

/** `fields[type]` for the type itself and each type `include` can reach: its readable attributes and relationships. */
function fieldsParameters(def: ResourceDefinition, lookup: DefinitionLookup, types = [def.type, ...includedTypes(def, lookup).filter((t) => t !== def.type)]): Parameter[] {
  return types.flatMap((type) => {
    const target = lookup(type) ?? (type === def.type ? def : undefined);
    if (!target) return [];
    const fields = [...readableAttributes(target), ...Object.keys(target.relationships ?? {})];
    return [list(`fields[${type}]`, { type: 'string', enum: fields }, `Sparse fieldset: only these fields of ${type} (empty for none).`, { uniqueItems: true })];
  });
}

function sortParameter(def: ResourceDefinition): Parameter[] {
  const sortable = Object.entries(def.attributes).filter(([, a]) => a.sortable).map(([name]) => name);
  if (!sortable.length) return [];
  const feedNote = def.feed ? ' A feed read by cursor is ordered by `updatedAt` only.' : '';
  return [
    list(
      'sort',
      { type: 'string', enum: sortable.flatMap((name) => [name, `-${name}`]) },
      `Sort fields in order of precedence; \`-\` for descending. Default: \`${def.defaultSort.join(',') || 'none'}\`.${feedNote}`,
      { uniqueItems: true },
    ),
  ];
}

function filterParameters(def: ResourceDefinition): Parameter[] {
  const parameters: Parameter[] = [];
  for (const [name, attribute] of Object.entries(def.attributes)) {
    for (const operator of filterOperators(attribute)) {
      parameters.push(
        operator === 'eq'
          ? list(`filter[${name}]`, filterValue(attribute), `Only ${def.type} whose ${name} equals one of these values (comma-separated).`, { maxItems: MAX_FILTER_VALUES })
          : one(`filter[${name}][${operator}]`, filterValue(attribute), `Only ${def.type} whose ${name} is ${operator} this value.`),
      );
    }
  }
  for (const [name, rel] of Object.entries(def.relationships ?? {})) {
    if (rel.filterable && rel.foreignKey) {
      parameters.push(list(`filter[${name}]`, { type: 'string', format: 'uuid' }, `Only ${def.type} whose ${name} is one of these ${rel.type} ids.`, { maxItems: MAX_FILTER_VALUES }));
    }
  }
  return parameters;
}

function pageParameters(def: ResourceDefinition): Parameter[] {
  const parameters = [
    one('page[number]', { type: 'integer', minimum: 1, maximum: MAX_PAGE_NUMBER, default: 1 }, 'The page to return, from 1.'),
    one('page[size]', { type: 'integer', minimum: 1, maximum: def.page.maxSize, default: def.page.defaultSize }, `Resources per page, at most ${def.page.maxSize}.`),
  ];
  if (!def.feed) return parameters;
  const cursor = { type: 'string', pattern: '^[\\w-]{1,120}$' };
  return [
    ...parameters,
    one('filter[updatedSince]', { type: 'string', format: 'date-time' }, 'Changes feed: resources changed at or after this time, oldest first, paged by cursor (the cursor pagination profile).'),
    one('page[after]', cursor, 'Changes feed: the page after this cursor (from `links.next` or a resource’s `meta.page.cursor`).'),
    one('page[before]', cursor, 'Changes feed: the page before this cursor.'),
  ];
}

/** Every query parameter the collection endpoint of `def` accepts. */
export function collectionParameters(def: ResourceDefinition, lookup: DefinitionLookup): Parameter[] {
  return [...pageParameters(def), ...sortParameter(def), ...filterParameters(def), ...includeParameter(def, lookup), ...fieldsParameters(def, lookup)];
}

/** Query parameters of an export: the collection's `sort` and `filter[...]` (a feed's `filter[updatedSince]` too), nothing that pages or shapes. */
export function exportParameters(def: ResourceDefinition): Parameter[] {
  const since = def.feed ? [one('filter[updatedSince]', { type: 'string', format: 'date-time' }, 'Only resources changed at or after this time.')] : [];
  return [...sortParameter(def), ...filterParameters(def), ...since];
}

/** Query parameters of endpoints that answer with one resource (or a related list, or a write's resource): `include` and `fields[...]`. */
export function singleParameters(def: ResourceDefinition, lookup: DefinitionLookup): Parameter[] {
  return [...includeParameter(def, lookup), ...fieldsParameters(def, lookup)];
}

/** Query parameters of a relationship endpoint: `include` paths that start with the relationship, and `fields[...]` of what they reach. */
export function relationshipParameters(def: ResourceDefinition, relationship: string, lookup: DefinitionLookup): Parameter[] {
  const paths = relationshipIncludePaths(def, relationship, lookup);
  const types = includedTypes(def, lookup, paths);
  return [...includeParameter(def, lookup, paths), ...(types.length ? fieldsParameters(def, lookup, types) : [])];
}
