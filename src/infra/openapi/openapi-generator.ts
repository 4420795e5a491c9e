import { Injectable } from '@nestjs/common';
import { JSON_API_MEDIA_TYPE } from '../json-api/media-type';
import type { ResourceDefinition } from '../json-api/resource-definition';
import type { DefinitionLookup } from '../json-api/resource-query';
import { type RegisteredResource, ResourceRegistry } from '../json-api/resource-registry';
import { atomicOperations } from './atomic-operations-path';
import { handMadeRoutes } from './hand-made-routes';
import { sharedComponents } from './json-api-components';
import type { JsonSchema, OpenApiDocument, PathItem } from './openapi-types';
import { includedTypes } from './query-parameters';
import { capabilities, resourcePaths } from './resource-paths';
import { identifierSchema, names, schemasOf } from './resource-schemas';

const DESCRIPTION = `The back end of Bloomdesk, accounting and sales control for flower shops.

JSON:API 1.1 throughout: send and accept \`${JSON_API_MEDIA_TYPE}\`. Log in with \`POST /api/v1/sessions\`, then send \`Authorization: Bearer <accessToken>\`.
Every error is an \`errors\` array whose objects carry \`status\`, a stable \`code\`, \`title\`, \`detail\` and, where it applies, \`source\`.
Collections page by number (\`page[number]\`, \`page[size]\`) with \`links\` and \`meta.total\`; feeds also by cursor (\`filter[updatedSince]\`, \`page[after]\`).
Writes accept an \`Idempotency-Key\` so a device can repeat them safely.`;

/** Every type a document may mention: registered ones, and any a relationship names. */
function mentionedTypes(resources: readonly RegisteredResource[]): string[] {
  const types = new Set(resources.map((r) => r.def.type));
  for (const { def } of resources) for (const rel of Object.values(def.relationships ?? {})) types.add(rel.type);
  return [...types].sort();
}

/**
 * Builds the OpenAPI 3.1 document of the whole API from the registered resource
 * definitions: nothing in it is written per resource type, so a module that
 * registers a new type appears here with its paths, query parameters and
 * schemas. Only the few hand-made routes (signup, sessions, the current
 * tenant) come from a fixed fragment, itself derived from their definitions.
 */
export function buildOpenApiDocument(resources: readonly RegisteredResource[]): OpenApiDocument {
  const byType = new Map(resources.map((r) => [r.def.type, r.def]));
  const lookup: DefinitionLookup = (type) => byType.get(type);
  const components = sharedComponents();
  const paths: Record<string, PathItem> = {};
  const handMade = handMadeRoutes(lookup);
  const atomic = atomicOperations(resources);
  const schemas: Record<string, JsonSchema> = { ...handMade.schemas };

  for (const type of mentionedTypes(resources)) schemas[names(type).identifier] = identifierSchema(type);
  for (const registered of resources) {
    const can = capabilities(registered);
    Object.assign(
      schemas,
      schemasOf(registered.def, { read: 'collection', includedTypes: includedTypes(registered.def, lookup), create: can.create, update: can.update, clientIds: registered.def.clientIds !== false }),
    );
    Object.assign(paths, resourcePaths(registered, lookup));
  }
  Object.assign(schemas, atomic.schemas);
  Object.assign(paths, atomic.paths, handMade.paths);

  return {
    openapi: '3.1.1',
    info: { title: 'Bloomdesk API', version: '1', description: DESCRIPTION },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    security: [{ bearer: [] }],
    tags: [
      { name: 'authentication', description: 'Signing up, logging in and out.' },
      ...resources.map(({ def }: { def: ResourceDefinition }) => ({ name: def.type, ...(def.description && { description: def.description }) })),
      { name: 'operations', description: 'Batches of writes (Atomic Operations extension).' },
      { name: 'documentation', description: 'This document.' },
    ],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { ...components, schemas: { ...components.schemas, ...schemas } },
  };
}

/** The document of the running server, built once on first request (every resource type has registered by then). */
@Injectable()
export class OpenApiGenerator {
  private json?: string;

  constructor(private readonly registry: ResourceRegistry) {}

  document(): OpenApiDocument {
    return buildOpenApiDocument(this.registry.all());
  }

  /** The document as served: serialized once, since it is large and never changes while the server runs. */
  serialized(): string {
    this.json ??= JSON.stringify(this.document());
    return this.json;
  }
}
