import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './jsonapi-response.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// Two JSON:API 1.1 changes the published (1.0) schema predates: error objects may
// carry `source.header`, and links are URI-references (relative ones included).
const definitions = (schema as any).definitions;
definitions.error.properties.source.properties.header = { type: 'string' };
definitions.linkUrl.format = 'uri-reference';
const validate = ajv.compile(schema);

/** Throws with the schema's complaints when a body is not a valid JSON:API response document. */
export function assertJsonApiDocument(body: unknown, context: string): void {
  if (!validate(body)) {
    throw new Error(`${context}: not a valid JSON:API document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
