import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './jsonapi-response.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// JSON:API 1.1 changes the published (1.0) schema predates: error objects may
// carry `source.header` and `links.type`, the jsonapi object names the applied `ext` and
// `profile`, and links are URI-references (relative ones included).
const definitions = (schema as any).definitions;
definitions.error.properties.source.properties.header = { type: 'string' };
definitions.errorLinks.properties.type = { $ref: '#/definitions/link' };
definitions.jsonapi.properties.ext = { type: 'array', items: { type: 'string', format: 'uri' } };
definitions.jsonapi.properties.profile = { type: 'array', items: { type: 'string', format: 'uri' } };
definitions.linkUrl.format = 'uri-reference';
const validateDocument = ajv.compile(schema);
const base = (schema as { $id: string }).$id;

// The Atomic Operations extension's result document: results in order, each with a resource or empty.
const validateAtomic = ajv.compile({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['atomic:results'],
  properties: {
    jsonapi: { $ref: `${base}#/definitions/jsonapi` },
    'atomic:results': {
      type: 'array',
      items: { type: 'object', properties: { data: { $ref: `${base}#/definitions/resource` }, meta: { type: 'object' } }, additionalProperties: false },
    },
    meta: { type: 'object' },
  },
  additionalProperties: false,
});

/** Throws with the schema's complaints when a body is not a valid JSON:API response document. */
export function assertJsonApiDocument(body: unknown, context: string, contentType = ''): void {
  const atomic = contentType.includes('https://jsonapi.org/ext/atomic') && (body as Record<string, unknown>)['atomic:results'] !== undefined;
  const validate = atomic ? validateAtomic : validateDocument;
  if (!validate(body)) {
    throw new Error(`${context}: not a valid JSON:API document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
