import { MAX_OPERATIONS, MAX_OPERATIONS_LARGE } from '../json-api/atomic-operations';
import { ATOMIC_EXT } from '../json-api/media-type';
import { joinsShardTransaction } from '../json-api/resource-definition';
import type { RegisteredResource } from '../json-api/resource-registry';
import { API_BASE } from '../json-api/serializer';
import { ATOMIC_MEDIA_TYPE, errorResponses, jsonApiContent, parameterRef, schemaRef } from './json-api-components';
import type { JsonSchema, PathItem } from './openapi-types';
import { capabilities } from './resource-paths';
import { names } from './resource-schemas';

/** The Atomic Operations extension endpoint and its documents, over every type that may join a batch. */
export function atomicOperations(registered: readonly RegisteredResource[]): { paths: Record<string, PathItem>; schemas: Record<string, JsonSchema> } {
  const resources = registered.filter((r) => joinsShardTransaction(r.def));
  const types = resources.map((r) => r.def.type);
  const writes = resources.flatMap((r) => {
    const can = capabilities(r);
    const n = names(r.def.type);
    return [...(can.create ? [schemaRef(n.createResource)] : []), ...(can.update ? [schemaRef(n.updateResource)] : [])];
  });
  const identifiers = types.map((t) => schemaRef(names(t).identifier));
  // An empty registry (a bare test module) still gets a valid schema: JSON Schema needs at least one alternative.
  const oneOfTypes = (schemas: JsonSchema[]): JsonSchema => (schemas.length ? { oneOf: schemas } : { type: 'object' });
  const schemas: Record<string, JsonSchema> = {
    AtomicOperation: {
      type: 'object',
      description:
        'One operation: `add` (create; or add to a to-many relationship), `update` (a resource, or replace a relationship), `remove` (delete; or remove from a to-many relationship). The target is named by `ref` (`type` with `id` or a `lid` from an earlier operation, plus `relationship`), by `href`, or for add/update by `data` itself.',
      required: ['op'],
      properties: {
        op: { enum: ['add', 'update', 'remove'] },
        ref: {
          type: 'object',
          required: ['type'],
          properties: {
            type: types.length ? { enum: types } : { type: 'string' },
            id: { type: 'string', format: 'uuid' },
            lid: { type: 'string' },
            relationship: { type: 'string' },
          },
          additionalProperties: false,
        },
        href: { type: 'string', format: 'uri-reference', description: 'A path (`/api/v1/products/<id>`, `.../relationships/suppliers`), or an absolute http(s) URL of this server (the host the request was sent to); another host is 400.' },
        data: {
          anyOf: [...writes, ...identifiers, { type: 'array', items: oneOfTypes(identifiers) }, { type: 'null' }],
        },
        meta: { type: 'object' },
      },
      additionalProperties: false,
    },
    AtomicOperationsDocument: {
      type: 'object',
      required: ['atomic:operations'],
      properties: {
        'atomic:operations': {
          type: 'array',
          minItems: 1,
          maxItems: MAX_OPERATIONS_LARGE,
          description: `At most ${MAX_OPERATIONS} operations (${MAX_OPERATIONS_LARGE} for shops with the large-sync-batches feature).`,
          items: schemaRef('AtomicOperation'),
        },
        jsonapi: { type: 'object' },
        meta: { type: 'object' },
      },
      additionalProperties: false,
    },
    AtomicResultsDocument: {
      type: 'object',
      required: ['atomic:results'],
      properties: {
        jsonapi: schemaRef('JsonApiObject'),
        'atomic:results': {
          type: 'array',
          description: 'One result per operation, in order: the resource an add or update produced, or empty.',
          items: {
            type: 'object',
            properties: { data: oneOfTypes(types.map((t) => schemaRef(names(t).resource))), meta: { type: 'object' } },
            additionalProperties: false,
          },
        },
        meta: { type: 'object' },
      },
      additionalProperties: false,
    },
  };
  const paths: Record<string, PathItem> = {
    [`${API_BASE}/operations`]: {
      post: {
        operationId: 'runAtomicOperations',
        summary: 'Run a batch of operations, all or nothing',
        description: `The JSON:API Atomic Operations extension (\`ext="${ATOMIC_EXT}"\` in \`Content-Type\`): up to ${MAX_OPERATIONS} operations (${MAX_OPERATIONS_LARGE} with the large-sync-batches feature) in one transaction on the shop's shard; \`lid\`s link resources created earlier in the batch, each \`lid\` once. Each operation needs the permission its action does. Types stored in the catalog or with effects a rollback cannot undo (${registered.filter((r) => !joinsShardTransaction(r.def)).map((r) => `\`${r.def.type}\``).join(', ') || 'none'}) are refused: send them on their own. No JSON:API query parameters. Offline devices send their sales this way.`,
        tags: ['operations'],
        parameters: [parameterRef('IdempotencyKey')],
        requestBody: { required: true, content: jsonApiContent(schemaRef('AtomicOperationsDocument'), ATOMIC_MEDIA_TYPE) },
        responses: {
          200: { description: 'Every operation succeeded.', content: jsonApiContent(schemaRef('AtomicResultsDocument'), ATOMIC_MEDIA_TYPE) },
          ...errorResponses([400, 401, 403, 404, 406, 409, 413, 415, 422, 500, 503]),
        },
      },
    },
  };
  return { paths, schemas };
}
