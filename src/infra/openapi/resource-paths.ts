import { PERMISSION_MATRIX, type Permission } from '../auth/permissions';
import type { RelationshipDefinition, ResourceDefinition } from '../json-api/resource-definition';
import { resourcePath } from '../json-api/resource-definition';
import { CSV_MEDIA_TYPE, EXPORT_SEGMENT } from '../json-api/csv';
import type { DefinitionLookup } from '../json-api/resource-query';
import type { RegisteredResource } from '../json-api/resource-registry';
import { API_BASE } from '../json-api/serializer';
import { createdHeaders, errorResponses, jsonApiContent, parameterRef, schemaRef, writeHeaders } from './json-api-components';
import type { JsonSchema, Operation, PathItem } from './openapi-types';
import { collectionParameters, exportParameters, includedTypes, relationshipIncludePaths, relationshipParameters, singleParameters } from './query-parameters';
import { linkageSchema, names, pascal } from './resource-schemas';

/** Statuses every authenticated JSON:API route can answer, besides its own (415: a JSON:API Content-Type with other parameters, body or not). */
const READ_ERRORS = [400, 401, 403, 406, 415, 500, 503];
const WRITE_ERRORS = [400, 401, 403, 404, 406, 409, 413, 415, 422, 500, 503];
/** Errors of reads of one resource: as READ_ERRORS, plus 404 (also for an id that is not a UUID). */
const READ_ONE_ERRORS = [400, 401, 403, 404, 406, 415, 500, 503];

/** What the engine will do for a type: an action needs both a permission in the definition and a handler method. */
export function capabilities({ def, handler }: RegisteredResource) {
  return {
    create: Boolean(def.permissions?.create && handler.create),
    update: Boolean(def.permissions?.update && handler.update),
    delete: Boolean(def.permissions?.delete && handler.remove),
    /** PATCH on a writable relationship: the handler's own method, or an update naming only it. */
    replace: (rel: RelationshipDefinition) => Boolean(rel.writable && def.permissions?.update && (handler.setRelationship || handler.update)),
    /** POST/DELETE on a writable to-many relationship. */
    addRemove: (rel: RelationshipDefinition) =>
      Boolean(rel.writable && rel.kind === 'to-many' && def.permissions?.update && handler.addToRelationship && handler.removeFromRelationship),
  };
}

function access(def: ResourceDefinition, action: 'read' | 'create' | 'update' | 'delete'): string {
  const permission = (def.permissions?.[action] ?? def.permissions?.read) as Permission | undefined;
  return permission ? `Roles: ${PERMISSION_MATRIX[permission].join(', ')}.` : '';
}

const ok = (description: string, schema: JsonSchema) => ({ description, content: jsonApiContent(schema) });
const noContent = { description: 'Done; no body.', headers: writeHeaders };
const body = (schema: JsonSchema, description?: string) => ({ required: true, ...(description && { description }), content: jsonApiContent(schema) });

/** The collection, resource, relationship and related endpoints of one registered type. */
export function resourcePaths(registered: RegisteredResource, lookup: DefinitionLookup): Record<string, PathItem> {
  const { def } = registered;
  const can = capabilities(registered);
  const n = names(def.type);
  const p = pascal(def.type);
  const tags = [def.type];
  const base = `${API_BASE}/${resourcePath(def)}`;
  const paths: Record<string, PathItem> = {};

  const collection: PathItem = {
    get: {
      operationId: `list${p}`,
      summary: `List ${def.type}`,
      description: [def.description, `Numbered pages with \`links\` and \`meta.total\`${def.feed ? ', or a changes feed by cursor from `filter[updatedSince]`' : ''}.`, access(def, 'read')].filter(Boolean).join(' '),
      tags,
      parameters: collectionParameters(def, lookup),
      responses: { 200: ok(`A page of ${def.type}.`, schemaRef(n.collection)), ...errorResponses(READ_ERRORS) },
    },
  };
  if (can.create) {
    collection.post = {
      operationId: `create${p}`,
      summary: `Create a ${def.type} resource`,
      description: `A client-generated \`id\` is accepted. \`include\` and \`fields[...]\` shape the answer as on a GET. ${access(def, 'create')}`,
      tags,
      parameters: [parameterRef('IdempotencyKey'), ...singleParameters(def, lookup)],
      requestBody: body(schemaRef(n.createDocument)),
      responses: { 201: { ...ok('Created.', schemaRef(n.document)), headers: createdHeaders }, ...errorResponses(WRITE_ERRORS) },
    };
  }
  paths[base] = collection;
  if (def.export) paths[`${base}/${EXPORT_SEGMENT}`] = exportPath(def, p, tags);

  const one: PathItem = {
    parameters: [parameterRef('Id')],
    get: {
      operationId: `get${p}`,
      summary: `Fetch a ${def.type} resource`,
      description: access(def, 'read'),
      tags,
      parameters: singleParameters(def, lookup),
      responses: { 200: ok(`The ${def.type} resource.`, schemaRef(n.document)), ...errorResponses(READ_ONE_ERRORS) },
    },
  };
  if (can.update) {
    one.patch = {
      operationId: `update${p}`,
      summary: `Update a ${def.type} resource`,
      description: `Changes only the attributes and relationships the document names. \`include\` and \`fields[...]\` shape the answer as on a GET. ${access(def, 'update')}`,
      tags,
      parameters: [parameterRef('IdempotencyKey'), ...singleParameters(def, lookup)],
      requestBody: body(schemaRef(n.updateDocument)),
      responses: { 200: { ...ok('Updated.', schemaRef(n.document)), headers: writeHeaders }, ...errorResponses(WRITE_ERRORS) },
    };
  }
  if (can.delete) {
    one.delete = {
      operationId: `delete${p}`,
      summary: `Delete a ${def.type} resource`,
      description: access(def, 'delete'),
      tags,
      parameters: [parameterRef('IdempotencyKey')],
      responses: { 204: noContent, ...errorResponses(WRITE_ERRORS) },
    };
  }
  paths[`${base}/{id}`] = one;

  for (const [name, rel] of Object.entries(def.relationships ?? {})) {
    Object.assign(paths, relationshipPaths(registered, name, rel, lookup, base));
  }
  return paths;
}

/** Statuses of an export: a read's, 422 for one over the cap, 503 also when the audit log cannot record it. */
const EXPORT_ERRORS = [400, 401, 403, 406, 415, 422, 500, 503];

/** `GET <collection>/export`: the CSV of every row the filters select (see ResourceExporter). */
function exportPath(def: ResourceDefinition, p: string, tags: string[]): PathItem {
  const permission = def.export!.permission;
  const columns = 'Columns: `id`, every attribute the role may read (cost prices only for roles with `stock:cost-read`), then the id of each to-one relationship; a header row names them.';
  return {
    get: {
      operationId: `export${p}`,
      summary: `Export ${def.type} as CSV`,
      description: [
        `Every ${def.type} resource the same \`filter[...]\` and \`sort\` select on the collection (and the caller's stores), as one CSV file (RFC 4180, UTF-8 with a byte order mark, CRLF), no pagination.`,
        columns,
        'Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR, but not a plain number) get a leading `\'`.',
        'More rows than the server allows in one export (EXPORT_MAX_ROWS, 100000 by default) answer 422 before anything is sent: narrow the filters.',
        'Every export is put on the audit log (`data.exported`: who, when, from where, the type, the rows and the names of the filters) before the first byte; if it cannot be, the export answers 503.',
        '`Accept` must allow `text/csv`; errors are JSON:API error documents.',
        `Roles: ${PERMISSION_MATRIX[permission].filter((role) => PERMISSION_MATRIX[def.permissions!.read].includes(role)).join(', ')}.`,
      ].join(' '),
      tags,
      parameters: exportParameters(def),
      responses: {
        200: {
          description: `The ${def.type}, one per line after the header.`,
          headers: {
            'Content-Disposition': { description: `\`attachment; filename="${def.type}-<YYYY-MM-DD>.csv"\``, schema: { type: 'string' } },
            'X-Export-Rows': { description: 'How many rows the file holds (as recorded on the audit log).', schema: { type: 'integer', minimum: 0 } },
          },
          content: { [`${CSV_MEDIA_TYPE}; charset=utf-8`]: { schema: { type: 'string' } } },
        },
        ...errorResponses(EXPORT_ERRORS),
      },
    },
  };
}

function relationshipPaths(registered: RegisteredResource, name: string, rel: RelationshipDefinition, lookup: DefinitionLookup, base: string): Record<string, PathItem> {
  const { def } = registered;
  const can = capabilities(registered);
  const id = `${pascal(def.type)}${pascal(name)}`;
  const tags = [def.type];
  const linkage = linkageSchema(rel);
  const reachable = includedTypes(def, lookup, relationshipIncludePaths(def, name, lookup));
  const relationshipDocument: JsonSchema = {
    type: 'object',
    required: ['jsonapi', 'links', 'data'],
    properties: {
      jsonapi: schemaRef('JsonApiObject'),
      links: schemaRef('RelationshipLinks'),
      data: linkage,
      ...(reachable.length && { included: { type: 'array', description: 'The related resources (and what they lead to), with `include`.', items: { oneOf: reachable.map((t) => schemaRef(names(t).resource)) } } }),
    },
    additionalProperties: false,
  };
  const change = (verb: string, summary: string, description: string): Operation => ({
    operationId: `${verb}${id}Relationship`,
    summary,
    description: `${description} ${access(def, 'update')}`,
    tags,
    parameters: [parameterRef('IdempotencyKey')],
    requestBody: body({ type: 'object', required: ['data'], properties: { data: linkageSchema(rel, { maxItems: 1000 }) }, additionalProperties: false }),
    responses: { 204: noContent, ...errorResponses(WRITE_ERRORS) },
  });

  const relationship: PathItem = {
    parameters: [parameterRef('Id')],
    get: {
      operationId: `get${id}Relationship`,
      summary: `The ${name} relationship of a ${def.type} resource`,
      description: [rel.description, `Also needs read access to ${rel.type}.`, access(def, 'read')].filter(Boolean).join(' '),
      tags,
      parameters: relationshipParameters(def, name, lookup),
      responses: { 200: ok(`Linkage: ${rel.kind === 'to-many' ? `identifiers of ${rel.type}` : `the identifier of a ${rel.type} resource${rel.nullable ? ', or null' : ''}`}.`, relationshipDocument), ...errorResponses(READ_ONE_ERRORS) },
    },
  };
  if (can.replace(rel)) relationship.patch = change('replace', `Replace the ${name} relationship`, rel.kind === 'to-many' ? 'Sets the full list of members.' : `Points it at another ${rel.type} resource${rel.nullable ? ' (or null)' : ''}.`);
  if (can.addRemove(rel)) {
    relationship.post = change('add', `Add to the ${name} relationship`, 'Members already there stay once.');
    relationship.delete = change('remove', `Remove from the ${name} relationship`, 'Members not there are ignored.');
  }

  const paths: Record<string, PathItem> = { [`${base}/{id}/relationships/${name}`]: relationship };
  // The related endpoint renders the target's resources: without its definition there is nothing to describe.
  const target = lookup(rel.type);
  if (!target) return paths;
  const targetNames = names(rel.type);
  const included = includedTypes(target, lookup);
  const includedMember = included.length ? { included: { type: 'array', items: { oneOf: included.map((t) => schemaRef(names(t).resource)) } } } : {};
  const relatedDocument: JsonSchema =
    rel.kind === 'to-many'
      ? {
          type: 'object',
          required: ['jsonapi', 'links', 'data', 'meta'],
          properties: {
            jsonapi: schemaRef('JsonApiObject'),
            links: schemaRef('SelfLinks'),
            data: { type: 'array', items: schemaRef(targetNames.resource) },
            ...includedMember,
            meta: { type: 'object', required: ['total'], properties: { total: { type: 'integer', minimum: 0 } }, additionalProperties: false },
          },
          additionalProperties: false,
        }
      : // null even when the relationship is required: the related resource may be one the caller cannot see (another store's).
        { oneOf: [schemaRef(targetNames.document), { type: 'object', required: ['jsonapi', 'links', 'data'], properties: { jsonapi: schemaRef('JsonApiObject'), links: schemaRef('SelfLinks'), data: { type: 'null' } }, additionalProperties: false }] };
  const related: PathItem = {
    parameters: [parameterRef('Id')],
    get: {
      operationId: `get${id}`,
      summary: `The ${name} of a ${def.type} resource`,
      description: [rel.description, `Also needs read access to ${rel.type}.`, access(def, 'read')].filter(Boolean).join(' '),
      tags,
      parameters: singleParameters(target, lookup),
      responses: { 200: ok(`The related ${rel.type}.`, relatedDocument), ...errorResponses(READ_ONE_ERRORS) },
    },
  };
  paths[`${base}/{id}/${name}`] = related;
  return paths;
}
