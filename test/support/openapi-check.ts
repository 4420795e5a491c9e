import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { OPENAPI_PATH } from '../../src/infra/openapi/hand-made-routes';
import type { OpenApiDocument, Operation, ResponseObject } from '../../src/infra/openapi/openapi-types';

const DOCUMENT_ID = 'https://bloomdesk.test/openapi.json';
const METHODS = ['get', 'post', 'patch', 'delete'] as const;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments: `/tenants/current` wins over `/tenants/{id}`, as OpenAPI says concrete paths do. */
  literals: number;
  operation: Operation;
}

export interface CheckedResponse {
  status: number;
  contentType: string;
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: unknown;
}

const pointer = (...tokens: string[]) => tokens.map((t) => encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
const baseType = (mediaType: string) => mediaType.split(';')[0].trim().toLowerCase();

/**
 * Checks responses against the OpenAPI document the app itself serves: finds
 * the operation by method and path template, takes the response for the status,
 * and validates the body with its schema (JSON Schema 2020-12, as OpenAPI 3.1 says).
 */
export class OpenApiCheck {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    // The whole document is added as one schema resource so every `#/components/...` reference resolves inside it.
    this.ajv.addSchema(document as never, DOCUMENT_ID, undefined, false);
    this.routes = Object.entries(document.paths)
      .flatMap(([template, item]) =>
        METHODS.filter((m) => item[m]).map((method) => ({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`),
          literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
          operation: item[method]!,
        })),
      )
      .sort((a, b) => b.literals - a.literals);
  }

  /** The documented operation a request reaches, if any. */
  route(method: string, url: string): Route | undefined {
    const path = url.split('?')[0];
    return this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
  }

  /** Throws, naming the operation, the status and ajv's complaints, when the response is not what the document says. */
  check(method: string, url: string, response: CheckedResponse): void {
    if (!url.startsWith('/api/')) return;
    const route = this.route(method, url);
    if (!route) return this.checkRefusal(method, url, response);
    const where = `OpenAPI: ${method} ${url} (${route.operation.operationId}, ${method} ${route.template}) answered ${response.status}`;
    const responses = route.operation.responses;
    const key = String(response.status) in responses ? String(response.status) : 'default' in responses ? 'default' : undefined;
    if (!key) throw new Error(`${where}, a status the document does not list (it lists ${Object.keys(responses).join(', ')}).`);
    const described = this.resolve(responses[key]);
    // A body that is not JSON (an export's CSV) is checked for its media type only.
    if (response.body === undefined && response.contentType && !/json/.test(baseType(response.contentType))) {
      if (!Object.keys(described.content ?? {}).some((m) => baseType(m) === baseType(response.contentType))) {
        throw new Error(`${where} as ${response.contentType}; the document lists ${Object.keys(described.content ?? {}).join(', ') || 'no body'}.`);
      }
      return;
    }
    if (response.status === 204 || response.body === undefined) {
      if (described.content && response.status !== 204) throw new Error(`${where} with no JSON body (${response.contentType || 'no content type'}); the document promises ${Object.keys(described.content).join(', ')}.`);
      return;
    }
    const mediaType = Object.keys(described.content ?? {}).find((m) => baseType(m) === baseType(response.contentType));
    if (!mediaType) throw new Error(`${where} as ${response.contentType}; the document lists ${Object.keys(described.content ?? {}).join(', ') || 'no body'}.`);
    const validate = this.validator(route, key, mediaType);
    if (!validate(response.body)) {
      const body = JSON.stringify(response.body);
      throw new Error(`${where} with a body its schema refuses:\n  ${this.ajv.errorsText(validate.errors, { separator: '\n  ', dataVar: 'body' })}\n${body.length > 4000 ? `${body.slice(0, 4000)}…` : body}`);
    }
  }

  /**
   * A request the document describes no operation for (an unknown route, or a
   * method the type does not offer) may only be refused: a 4xx JSON:API error
   * document. Anything else is an undocumented operation, and fails.
   */
  private checkRefusal(method: string, url: string, response: CheckedResponse): void {
    const where = `OpenAPI: ${method} ${url} is no documented operation, yet it answered ${response.status}`;
    if (response.status < 400 || response.status >= 500) throw new Error(`${where}; only a refusal (4xx) may come from an undocumented route.`);
    if (baseType(response.contentType) !== 'application/vnd.api+json') throw new Error(`${where} as ${response.contentType || 'no content type'}, not a JSON:API error document.`);
    let validate = this.validators.get('refusal');
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/components/schemas/ErrorDocument` });
      this.validators.set('refusal', validate);
    }
    if (!validate(response.body)) throw new Error(`${where} with a body that is no error document:\n  ${this.ajv.errorsText(validate.errors, { separator: '\n  ', dataVar: 'body' })}`);
  }

  private resolve(response: ResponseObject | { $ref: string }): ResponseObject {
    if (!('$ref' in response)) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    const found = this.document.components.responses[name];
    if (!found) throw new Error(`OpenAPI: unresolved response ${response.$ref}`);
    return found;
  }

  private validator(route: Route, status: string, mediaType: string): ValidateFunction {
    const key = `${route.method} ${route.template} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const response = route.operation.responses[status];
      const at =
        '$ref' in response
          ? pointer('components', 'responses', response.$ref.replace('#/components/responses/', ''))
          : pointer('paths', route.template, route.method.toLowerCase(), 'responses', status);
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${at}/${pointer('content', mediaType, 'schema')}` });
      this.validators.set(key, validate);
    }
    return validate;
  }
}

const checks = new WeakMap<FastifyInstance, Promise<OpenApiCheck>>();

/** The check for one running app, from the document it serves (fetched once). */
export function openApiCheckFor(fastify: FastifyInstance): Promise<OpenApiCheck> {
  let check = checks.get(fastify);
  if (!check) {
    check = fastify.inject({ method: 'GET', url: OPENAPI_PATH, headers: { accept: 'application/json' } }).then((res) => {
      if (res.statusCode !== 200) throw new Error(`OpenAPI: GET ${OPENAPI_PATH} answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
      return new OpenApiCheck(res.json());
    });
    checks.set(fastify, check);
  }
  return check;
}

const remote = new Map<string, Promise<OpenApiCheck>>();

/** The check for a server reached over HTTP (a process of its own, at `origin`), from the document it serves (fetched once). */
export function openApiCheckAt(origin: string): Promise<OpenApiCheck> {
  let check = remote.get(origin);
  if (!check) {
    check = fetch(`${origin}${OPENAPI_PATH}`, { headers: { accept: 'application/json' } }).then(async (res) => {
      if (res.status !== 200) throw new Error(`OpenAPI: GET ${origin}${OPENAPI_PATH} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
      return new OpenApiCheck((await res.json()) as OpenApiDocument);
    });
    remote.set(origin, check);
  }
  return check;
}

/** What the harness calls for every response. */
export async function assertOpenApiResponse(fastify: FastifyInstance, method: string, url: string, response: CheckedResponse): Promise<void> {
  if (!url.startsWith('/api/')) return;
  (await openApiCheckFor(fastify)).check(method, url, response);
}
