import 'reflect-metadata';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Permission } from '../auth/permissions';
import { defineResource } from '../json-api/resource-definition';
import type { ResourceHandler } from '../json-api/resource-handler';
import { ResourceRegistry } from '../json-api/resource-registry';
import { dtoProperties } from './dto-constraints';
import { OpenApiGenerator } from './openapi-generator';
import type { Parameter } from './openapi-types';

class WidgetCreateDto {
  @IsString()
  @Length(2, 40)
  @Matches(/^[a-z]+$/)
  name: string;

  @IsOptional()
  @IsString()
  @Matches(/^x/i)
  note?: string | null;

  @IsIn(['red', 'blue'])
  colour: string;

  @IsInt()
  @Min(0)
  @Max(99)
  size: number;
}

// A resource type no code of the generator knows about: it must appear all the same.
const widgetResource = defineResource({
  type: 'widgets',
  description: 'A test widget.',
  attributes: {
    name: { type: 'string', sortable: true, filter: true },
    note: { type: 'string', nullable: true },
    colour: { type: 'enum', enum: ['red', 'blue'], nullable: true, filter: true },
    size: { type: 'integer', filter: { operators: ['gte', 'lt'] } },
    weight: { type: 'decimal', readOnly: true },
    bornOn: { type: 'date', readOnly: true },
    secret: { type: 'string', writeOnly: true },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, includable: true, filterable: true, nullable: true },
    parts: { type: 'widgets', kind: 'to-many', includable: true },
  },
  defaultSort: ['name'],
  page: { defaultSize: 10, maxSize: 30 },
  permissions: { read: Permission.StoresRead, create: Permission.StoresCreate, update: Permission.StoresUpdate },
  createDto: WidgetCreateDto,
});

const storeLike = defineResource({
  type: 'stores',
  attributes: { name: { type: 'string' } },
  defaultSort: [],
  page: { defaultSize: 5, maxSize: 5 },
  permissions: { read: Permission.StoresRead },
});

const handler = (methods: Partial<ResourceHandler> = {}): ResourceHandler => ({
  findPage: async () => ({ items: [] }),
  findByIds: async () => [],
  ...methods,
});

function generator() {
  const registry = new ResourceRegistry();
  registry.register(widgetResource, handler({ create: async () => ({ id: 'x' }), update: async () => ({ id: 'x' }), remove: async () => undefined }));
  registry.register(storeLike, handler());
  return new OpenApiGenerator(registry);
}

const names = (parameters: unknown[] | undefined) => (parameters as Parameter[]).map((p) => p.name);

describe(OpenApiGenerator.name, () => {
  const doc = generator().document();
  const schemas = doc.components.schemas as Record<string, any>;

  it('describes a newly registered type with its collection, resource, relationship and related paths', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/widgets')).sort()).toEqual([
      '/api/v1/widgets',
      '/api/v1/widgets/{id}',
      '/api/v1/widgets/{id}/parts',
      '/api/v1/widgets/{id}/relationships/parts',
      '/api/v1/widgets/{id}/relationships/store',
      '/api/v1/widgets/{id}/store',
    ]);
    expect(doc.tags).toContainEqual({ name: 'widgets', description: 'A test widget.' });
    expect(doc.components.schemas.AtomicOperation).toMatchObject({ properties: { ref: { properties: { type: { enum: ['stores', 'widgets'] } } } } });
  });

  it('offers only the actions the definition permits and the handler implements', () => {
    // No delete permission; stores has a handler without create, update or remove.
    expect(Object.keys(doc.paths['/api/v1/widgets/{id}'])).toEqual(['parameters', 'get', 'patch']);
    expect(Object.keys(doc.paths['/api/v1/widgets'])).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/stores'])).toEqual(['get']);
    // Writable to-one: replace only; read-only to-many: read only.
    expect(Object.keys(doc.paths['/api/v1/widgets/{id}/relationships/store'])).toEqual(['parameters', 'get', 'patch']);
    expect(Object.keys(doc.paths['/api/v1/widgets/{id}/relationships/parts'])).toEqual(['parameters', 'get']);
    expect(schemas.StoresCreateDocument).toBeUndefined();
  });

  it('lists every query parameter the collection accepts, typed as the parser reads it', () => {
    const list = doc.paths['/api/v1/widgets'].get!;
    expect(names(list.parameters)).toEqual([
      'page[number]',
      'page[size]',
      'sort',
      'filter[name]',
      'filter[colour]',
      'filter[size][gte]',
      'filter[size][lt]',
      'filter[store]',
      'include',
      'fields[widgets]',
      'fields[stores]',
    ]);
    const byName: Record<string, any> = Object.fromEntries((list.parameters as Parameter[]).map((p) => [p.name, p]));
    expect(byName['page[size]'].schema).toMatchObject({ maximum: 30, default: 10 });
    expect(byName.sort.schema).toMatchObject({ items: { enum: ['name', '-name', 'createdAt', '-createdAt'] } });
    expect(byName['filter[store]']).toMatchObject({ style: 'form', explode: false, schema: { items: { format: 'uuid' } } });
    expect(byName['filter[size][gte]'].schema).toEqual({ type: 'integer' });
    expect(byName.include.schema.items.enum).toEqual(['store', 'parts', 'parts.store', 'parts.parts', 'parts.parts.store', 'parts.parts.parts']);
    expect(byName['fields[widgets]'].schema.items.enum).not.toContain('secret');
  });

  it('gives each attribute type its JSON Schema, nullability as a type array, and leaves write-only attributes out of responses', () => {
    const attributes = schemas.WidgetsAttributes.properties;
    expect(attributes.weight).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(new RegExp(attributes.weight.pattern).test('2.5')).toBe(true);
    expect(new RegExp(attributes.weight.pattern).test('2,5')).toBe(false);
    expect(attributes.bornOn).toEqual({ type: 'string', format: 'date' });
    expect(attributes.createdAt).toEqual({ type: 'string', format: 'date-time' });
    expect(attributes.colour).toEqual({ type: ['string', 'null'], enum: ['red', 'blue', null] });
    expect(attributes.note).toEqual({ type: ['string', 'null'] });
    expect(attributes).not.toHaveProperty('secret');
    expect(schemas.WidgetsRelationships.properties.store.properties.data).toEqual({ oneOf: [{ $ref: '#/components/schemas/StoresIdentifier' }, { type: 'null' }] });
  });

  it('builds create documents from the writable attributes and the DTO’s limits', () => {
    const create = schemas.WidgetsCreateResource;
    expect(create.required).toEqual(['type', 'attributes']);
    expect(create.properties.attributes.required).toEqual(['name', 'colour', 'size']);
    expect(create.properties.attributes.properties.name).toEqual({ type: 'string', minLength: 2, maxLength: 40, pattern: '^[a-z]+$' });
    expect(create.properties.attributes.properties.size).toEqual({ type: 'integer', minimum: 0, maximum: 99 });
    // A regex with flags has no JSON Schema equivalent; the attribute has no DTO rule for `weight` (read-only) or `secret`.
    expect(create.properties.attributes.properties.note).toEqual({ type: ['string', 'null'] });
    expect(Object.keys(create.properties.attributes.properties)).toEqual(['name', 'note', 'colour', 'size']);
    expect(create.properties.relationships.properties).toHaveProperty('store');
    expect(create.properties.relationships.properties).not.toHaveProperty('parts');
  });

  it('includes in documents exactly the types include paths reach', () => {
    expect(schemas.WidgetsDocument.properties.included.items.oneOf).toEqual([{ $ref: '#/components/schemas/StoresResource' }, { $ref: '#/components/schemas/WidgetsResource' }]);
    expect(schemas.StoresDocument.properties).not.toHaveProperty('included');
  });

  it('serializes the document once', () => {
    const g = generator();
    expect(g.serialized()).toBe(g.serialized());
    expect(JSON.parse(g.serialized()).paths['/api/v1/widgets']).toBeDefined();
  });
});

describe(dtoProperties.name, () => {
  it('reads required properties and limits from class-validator metadata', () => {
    const properties = dtoProperties(WidgetCreateDto);
    expect(properties.get('name')).toEqual({ keywords: { minLength: 2, maxLength: 40, pattern: '^[a-z]+$' }, required: true });
    expect(properties.get('note')).toEqual({ keywords: {}, required: false });
    expect(properties.get('colour')).toEqual({ keywords: { enum: ['red', 'blue'] }, required: true });
  });
});
