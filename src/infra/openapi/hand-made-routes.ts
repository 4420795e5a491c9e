import { inviteAcceptanceResource } from '../../modules/tenants/invite-acceptance.resource';
import { passwordChangeResource } from '../../modules/tenants/password-change.resource';
import { sessionResource } from '../../modules/tenants/session.resource';
import { signupResource, tenantResource } from '../../modules/tenants/tenant.resource';
import { API_BASE } from '../json-api/serializer';
import type { DefinitionLookup } from '../json-api/resource-query';
import { createdHeaders, errorResponses, jsonApiContent, parameterRef, schemaRef } from './json-api-components';
import type { JsonSchema, PathItem } from './openapi-types';
import { singleParameters } from './query-parameters';
import { names, schemasOf } from './resource-schemas';

export const OPENAPI_PATH = `${API_BASE}/openapi.json`;

const PUBLIC: never[] = [];

/**
 * The routes modules write by hand instead of through a resource definition:
 * signing up, logging in and out, accepting an invite, changing one's password, the caller's own tenant, and this document.
 * Their bodies are still described from the definitions the controllers parse
 * and render with (signupResource, sessionResource, tenantResource).
 */
export function handMadeRoutes(lookup: DefinitionLookup): { paths: Record<string, PathItem>; schemas: Record<string, JsonSchema> } {
  const signup = names(signupResource.type);
  const session = names(sessionResource.type);
  const tenant = names(tenantResource.type);
  const acceptance = names(inviteAcceptanceResource.type);
  const passwordChange = names(passwordChangeResource.type);
  const schemas = {
    ...schemasOf(signupResource, { read: false, includedTypes: [], create: true, update: false, clientIds: false }),
    ...schemasOf(sessionResource, { read: 'single', includedTypes: [], create: true, update: false, clientIds: false }),
    ...schemasOf(inviteAcceptanceResource, { read: 'single', includedTypes: [], create: true, update: false, clientIds: false }),
    ...schemasOf(passwordChangeResource, { read: 'single', includedTypes: [], create: true, update: false, clientIds: false }),
    // Normally generated from the registry already (tenants is a registered type); kept so the routes stand alone.
    ...schemasOf(tenantResource, { read: 'single', includedTypes: [], create: false, update: false, clientIds: false }),
  };
  const paths: Record<string, PathItem> = {
    [`${API_BASE}/signup`]: {
      post: {
        operationId: 'signup',
        summary: 'Sign a shop up',
        description:
          'Creates the shop (tenant) and its owner, who then logs in with `POST /api/v1/sessions`. A retry with the same `Idempotency-Key` and document gets the same answer and creates one shop; keys are kept per owner e-mail (another document for the e-mail with the key is 409). No client-generated `id` (403). Rate-limited per client address.',
        tags: ['authentication'],
        security: PUBLIC,
        parameters: [parameterRef('IdempotencyKey')],
        requestBody: { required: true, content: jsonApiContent(schemaRef(signup.createDocument)) },
        responses: {
          201: { description: 'The new tenant.', headers: createdHeaders, content: jsonApiContent(schemaRef(tenant.document)) },
          ...errorResponses([400, 403, 406, 409, 413, 415, 422, 429, 500, 503]),
        },
      },
    },
    [`${API_BASE}/sessions`]: {
      post: {
        operationId: 'createSession',
        summary: 'Log in, or refresh a session',
        description:
          'With `email` and `password`: logs in (five failures for one e-mail lock it for 15 minutes: 429). With `refreshToken` alone: trades it for a new pair; the old one is spent, and replaying it ends the session. An `Idempotency-Key` is refused (400): a login is never answered from storage, its answer holds the tokens. No client-generated `id` (403). Rate-limited per client address.',
        tags: ['authentication'],
        security: PUBLIC,
        requestBody: { required: true, content: jsonApiContent(schemaRef(session.createDocument)) },
        responses: {
          201: { description: 'The session with its tokens.', content: jsonApiContent(schemaRef(session.document)) },
          ...errorResponses([400, 401, 403, 406, 409, 413, 415, 422, 429, 500, 503]),
        },
      },
    },
    [`${API_BASE}/invite-acceptances`]: {
      post: {
        operationId: 'acceptInvite',
        summary: 'Accept an invite with a password of your own',
        description:
          'The invited employee (or one whose password was reset) sets their password with the invite token, once, within 7 days; every session they had ends. Then they log in with `POST /api/v1/sessions`. An `Idempotency-Key` is refused (400): the token works once, so a repeat can only fail, and the answer is never kept. No client-generated `id` (403). Rate-limited per client address.',
        tags: ['authentication'],
        security: PUBLIC,
        requestBody: { required: true, content: jsonApiContent(schemaRef(acceptance.createDocument)) },
        responses: {
          201: { description: 'Accepted: the password is set.', content: jsonApiContent(schemaRef(acceptance.document)) },
          ...errorResponses([400, 401, 403, 406, 409, 413, 415, 422, 429, 500, 503]),
        },
      },
    },
    [`${API_BASE}/password-changes`]: {
      post: {
        operationId: 'changePassword',
        summary: 'Change your own password',
        description:
          'With `currentPassword` and the new `password` (10 to 200 characters). A wrong current password is 422 `wrong-current-password`; its tries count with the logins of the same e-mail (five in 15 minutes, then 429). Every session of the caller ends, the calling one too: the answer carries the tokens of a new session. Device tokens have no password (403). An `Idempotency-Key` is refused (400): the answer holds tokens. No client-generated `id` (403).',
        tags: ['authentication'],
        requestBody: { required: true, content: jsonApiContent(schemaRef(passwordChange.createDocument)) },
        responses: {
          201: { description: 'Changed: the new session with its tokens.', content: jsonApiContent(schemaRef(passwordChange.document)) },
          ...errorResponses([400, 401, 403, 406, 409, 413, 415, 422, 429, 500, 503]),
        },
      },
    },
    [`${API_BASE}/sessions/current`]: {
      delete: {
        operationId: 'deleteCurrentSession',
        summary: 'Log out',
        description: 'Ends the caller’s session: its access and refresh tokens stop working at once. No `Idempotency-Key` (400).',
        tags: ['authentication'],
        responses: { 204: { description: 'Logged out.' }, ...errorResponses([400, 401, 406, 415, 500, 503]) },
      },
    },
    [`${API_BASE}/tenants/current`]: {
      get: {
        operationId: 'getCurrentTenant',
        summary: 'Fetch the caller’s own tenant',
        description: 'The shop the access token belongs to, without knowing its id.',
        tags: [tenantResource.type],
        parameters: singleParameters(lookup(tenantResource.type) ?? tenantResource, lookup),
        responses: { 200: { description: 'The tenant.', content: jsonApiContent(schemaRef(tenant.document)) }, ...errorResponses([400, 401, 404, 406, 415, 500, 503]) },
      },
    },
    [OPENAPI_PATH]: {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI document',
        description: 'Generated from the resource definitions the server runs with. Served as `application/json` whatever `Accept` says; `GET /docs` renders it.',
        tags: ['documentation'],
        security: PUBLIC,
        responses: {
          200: {
            description: 'OpenAPI 3.1.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['openapi', 'info', 'paths', 'components'],
                  properties: { openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' }, info: { type: 'object' }, paths: { type: 'object' }, components: { type: 'object' } },
                },
              },
            },
          },
        },
      },
    },
  };
  return { paths, schemas };
}
