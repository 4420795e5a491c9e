/**
 * The parts of OpenAPI 3.1 this generator writes. Schemas are JSON Schema
 * 2020-12 objects, kept loose on purpose: they are data, built and checked by
 * tests against the official OpenAPI schema, not by the compiler.
 */
export type JsonSchema = { [keyword: string]: unknown };

export interface Reference {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  description?: string;
  required?: boolean;
  style?: 'form' | 'simple';
  explode?: boolean;
  schema: JsonSchema;
}

export interface MediaTypeObject {
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, Reference | { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaTypeObject>;
}

export interface RequestBody {
  required: boolean;
  description?: string;
  content: Record<string, MediaTypeObject>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Array<Parameter | Reference>;
  requestBody?: RequestBody;
  responses: Record<string, ResponseObject | Reference>;
  /** `[]` on public routes; the document's default (bearer) otherwise. */
  security?: Array<Record<string, string[]>>;
}

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

export type PathItem = Partial<Record<HttpMethod, Operation>> & { parameters?: Array<Parameter | Reference> };

export interface Components {
  schemas: Record<string, JsonSchema>;
  responses: Record<string, ResponseObject>;
  parameters: Record<string, Parameter>;
  headers: Record<string, { description: string; schema: JsonSchema }>;
  securitySchemes: Record<string, Record<string, unknown>>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  jsonSchemaDialect: string;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItem>;
  components: Components;
}
