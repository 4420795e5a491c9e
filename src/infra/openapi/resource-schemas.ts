import { PERMISSION_MATRIX } from '../auth/permissions';
import type { AttributeDefinition, RelationshipDefinition, ResourceDefinition } from '../json-api/resource-definition';
import { dtoProperties } from './dto-constraints';
import { schemaRef } from './json-api-components';
import type { JsonSchema } from './openapi-types';

/** `recipe-items` -> `RecipeItems`: component names and operation ids. */
export const pascal = (name: string) => name.replace(/(^|[-_])(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/** The component names of one type's schemas. */
export const names = (type: string) => {
  const p = pascal(type);
  return {
    resource: `${p}Resource`,
    attributes: `${p}Attributes`,
    relationships: `${p}Relationships`,
    identifier: `${p}Identifier`,
    document: `${p}Document`,
    collection: `${p}CollectionDocument`,
    createResource: `${p}CreateResource`,
    createDocument: `${p}CreateDocument`,
    updateResource: `${p}UpdateResource`,
    updateDocument: `${p}UpdateDocument`,
  };
};

/** What the query parser accepts for a decimal, and the form the server writes one in. */
const DECIMAL_PATTERN = '^-?\\d{1,12}(\\.\\d{1,6})?$';

/** The JSON Schema of one value of an attribute type (without nullability). */
export function valueSchema(attribute: Pick<AttributeDefinition, 'type' | 'enum'>): JsonSchema {
  switch (attribute.type) {
    case 'string':
      return { type: 'string' };
    case 'integer':
      return { type: 'integer' };
    case 'decimal':
      return { type: 'string', pattern: DECIMAL_PATTERN, description: 'A decimal number as a string, e.g. "2.5" (never a float).' };
    case 'boolean':
      return { type: 'boolean' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'enum':
      return { type: 'string', enum: [...(attribute.enum ?? [])] };
  }
}

const nullable = (schema: JsonSchema): JsonSchema => ({
  ...schema,
  type: [schema.type, 'null'],
  ...(Array.isArray(schema.enum) && { enum: [...schema.enum, null] }),
});

const roles = (permission: string) => PERMISSION_MATRIX[permission as keyof typeof PERMISSION_MATRIX]?.join(', ') ?? permission;

function attributeSchema(attribute: AttributeDefinition, extra: JsonSchema = {}): JsonSchema {
  const value = { ...valueSchema(attribute), ...extra };
  const notes = [
    attribute.description ?? (value.description as string | undefined),
    attribute.sensitive && 'Stored only encrypted.',
    attribute.readPermission && `Shown only to roles: ${roles(attribute.readPermission)}.`,
  ].filter(Boolean);
  const schema = attribute.nullable ? nullable(value) : value;
  delete schema.description;
  return notes.length ? { ...schema, description: notes.join(' ') } : schema;
}

export function identifierSchema(type: string): JsonSchema {
  return {
    type: 'object',
    required: ['type', 'id'],
    properties: { type: { const: type }, id: { type: 'string', format: 'uuid' } },
    additionalProperties: false,
  };
}

/** Resource linkage of a relationship: an identifier (or null) for to-one, an array of them for to-many. */
export function linkageSchema(rel: RelationshipDefinition, options: { maxItems?: number } = {}): JsonSchema {
  const identifier = schemaRef(names(rel.type).identifier);
  if (rel.kind === 'to-many') return { type: 'array', items: identifier, ...(options.maxItems && { maxItems: options.maxItems }) };
  return rel.nullable ? { oneOf: [identifier, { type: 'null' }] } : identifier;
}

const object = (properties: Record<string, JsonSchema>, required: string[] = [], description?: string): JsonSchema => ({
  type: 'object',
  ...(description && { description }),
  ...(required.length && { required }),
  properties,
  additionalProperties: false,
});

function resourceSchemas(def: ResourceDefinition): Record<string, JsonSchema> {
  const n = names(def.type);
  const attributes = Object.fromEntries(
    Object.entries(def.attributes)
      .filter(([, a]) => !a.writeOnly)
      .map(([name, a]) => [name, attributeSchema(a)]),
  );
  const relationships = Object.entries(def.relationships ?? {});
  const schemas: Record<string, JsonSchema> = {
    [n.attributes]: object(attributes, [], 'Every attribute is present, unless a sparse fieldset (`fields[...]`) leaves it out or the caller’s role may not read it.'),
    [n.resource]: object(
      {
        type: { const: def.type },
        id: { type: 'string', format: 'uuid' },
        attributes: schemaRef(n.attributes),
        ...(relationships.length && { relationships: schemaRef(n.relationships) }),
        ...(def.addressable !== false && { links: schemaRef('SelfLinks') }),
        meta: { type: 'object', description: 'In a changes feed: `page.cursor`, this resource’s position.' },
      },
      def.addressable !== false ? ['type', 'id', 'links'] : ['type', 'id'],
      def.description,
    ),
  };
  if (relationships.length) {
    schemas[n.relationships] = object(
      Object.fromEntries(
        relationships.map(([name, rel]) => [
          name,
          object(
            { links: schemaRef('RelationshipLinks'), data: linkageSchema(rel) },
            ['links'],
            [rel.description, `Linkage (\`data\`) is present when the relationship is included or held by the resource itself.`].filter(Boolean).join(' '),
          ),
        ]),
      ),
    );
  }
  return schemas;
}

/**
 * The attributes a create or update document may carry: those that are not
 * read-only and that the DTO validates (it refuses any other), with the DTO's
 * limits; required ones are those the create DTO always validates.
 */
function writableAttributes(def: ResourceDefinition, dto: (new () => object) | undefined, mode: 'create' | 'update') {
  if (!dto) return { properties: {}, required: [] as string[] };
  const validated = dtoProperties(dto);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, attribute] of Object.entries(def.attributes)) {
    const rules = validated.get(name);
    if (attribute.readOnly || !rules) continue;
    properties[name] = attributeSchema(attribute, rules.keywords);
    if (mode === 'create' && rules.required) required.push(name);
  }
  return { properties, required };
}

/** UUID7_PATTERN for clients, who may send upper case (the server reads ids lower-cased). */
const UUID7_SCHEMA_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';

function writeSchemas(def: ResourceDefinition, mode: 'create' | 'update', options: { clientIds: boolean }): Record<string, JsonSchema> {
  const n = names(def.type);
  const { properties, required } = writableAttributes(def, mode === 'create' ? def.createDto : def.updateDto, mode);
  const writable = Object.entries(def.relationships ?? {}).filter(([, rel]) => rel.writable);
  // `required` on relationships is newer than some definitions: read it loosely.
  const requiredRelationships = mode === 'create' ? writable.filter(([, rel]) => (rel as { required?: boolean }).required).map(([name]) => name) : [];
  const members: Record<string, JsonSchema> = { type: { const: def.type } };
  if (mode === 'update') members.id = { type: 'string', format: 'uuid', description: 'Must equal the id in the URL.' };
  else if (options.clientIds) {
    members.id = {
      type: 'string',
      format: 'uuid',
      pattern: UUID7_SCHEMA_PATTERN,
      description: 'Optional client-generated id: a UUIDv7 (RFC 9562; another version is 400); 409 if it is taken.',
    };
  }
  if (mode === 'create' && options.clientIds) members.lid = { type: 'string', minLength: 1, maxLength: 100, description: 'In atomic operations: a local id later operations use to refer to this resource.' };
  if (Object.keys(properties).length) members.attributes = object(properties, required);
  if (writable.length) {
    members.relationships = object(
      Object.fromEntries(writable.map(([name, rel]) => [name, object({ data: linkageSchema(rel, { maxItems: 1000 }) }, ['data'], rel.description)])),
      requiredRelationships,
    );
  }
  members.meta = { type: 'object' };
  const requiredMembers = ['type', ...(mode === 'update' ? ['id'] : []), ...(required.length ? ['attributes'] : []), ...(requiredRelationships.length ? ['relationships'] : [])];
  const resource = mode === 'create' ? n.createResource : n.updateResource;
  const document = mode === 'create' ? n.createDocument : n.updateDocument;
  const summary = mode === 'create' ? `A new ${def.type} resource.` : `The attributes and relationships to change; those not named keep their values.`;
  return {
    [resource]: object(members, requiredMembers, summary),
    [document]: object({ data: schemaRef(resource) }, ['data']),
  };
}

/** Single-resource and collection documents of a type, with `included` for the types its include paths reach. */
function documentSchemas(def: ResourceDefinition, includedTypes: readonly string[]): Record<string, JsonSchema> {
  const n = names(def.type);
  const included: Record<string, JsonSchema> = includedTypes.length
    ? { included: { type: 'array', description: 'Resources named in `include`, each once.', items: { oneOf: includedTypes.map((t) => schemaRef(names(t).resource)) } } }
    : {};
  const links = def.feed ? { oneOf: [schemaRef('PageLinks'), schemaRef('CursorPageLinks')] } : schemaRef('PageLinks');
  return {
    [n.document]: object({ jsonapi: schemaRef('JsonApiObject'), links: schemaRef('SelfLinks'), data: schemaRef(n.resource), ...included }, ['jsonapi', 'links', 'data']),
    [n.collection]: object(
      {
        jsonapi: schemaRef('JsonApiObject'),
        links,
        data: { type: 'array', items: schemaRef(n.resource) },
        ...included,
        meta: object({ total: { type: 'integer', minimum: 0, description: 'How many resources match, on numbered pages.' } }),
      },
      ['jsonapi', 'links', 'data'],
    ),
  };
}

export interface ResourceSchemaOptions {
  /** Which documents answer with this type: single resources only, or collections too (none: never rendered). */
  read: 'collection' | 'single' | false;
  /** Types `include` can reach from this one (their resource schemas must exist too). */
  includedTypes: readonly string[];
  create: boolean;
  update: boolean;
  /** Whether a create document may carry a client-generated `id` and a `lid` (types the JSON:API engine writes). */
  clientIds: boolean;
}

/** Every component schema of one resource type. */
export function schemasOf(def: ResourceDefinition, options: ResourceSchemaOptions): Record<string, JsonSchema> {
  const documents = options.read ? documentSchemas(def, options.includedTypes) : {};
  if (options.read !== 'collection') delete documents[names(def.type).collection];
  return {
    ...(options.read && resourceSchemas(def)),
    ...documents,
    ...(options.create && writeSchemas(def, 'create', options)),
    ...(options.update && writeSchemas(def, 'update', options)),
  };
}
