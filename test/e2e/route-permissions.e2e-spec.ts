import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { PERMISSION_KEY, PERMISSION_MATRIX, PUBLIC_KEY, type Permission, can } from '../../src/infra/auth/permissions';
import { uuid7 } from '../../src/infra/database/uuid7';
import { type ResourceDefinition, resourcePath } from '../../src/infra/json-api/resource-definition';
import { ResourceRegistry } from '../../src/infra/json-api/resource-registry';
import { ROLES, type Role } from '../../src/infra/tenancy/request-context';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { create, one } from '../support/catalog-fixtures';
import { type Shop, newEmployee, newShop } from '../support/fixtures';

interface NestRoute {
  route: string;
  permission?: Permission;
  isPublic: boolean;
}

/** Every route Nest registered, from the controllers' metadata, with what the auth guard will read for it. */
function nestRoutes(t: TestApp): NestRoute[] {
  const scanner = new MetadataScanner();
  const reflector = t.app.get(Reflector);
  const routes: NestRoute[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as Type;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of scanner.getAllMethodNames(type.prototype)) {
        const handler = type.prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler);
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const targets = [handler, type];
        routes.push({
          route: `${method} ${`/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`,
          permission: reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets),
          isPublic: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true,
        });
      }
    }
  }
  return routes;
}

/** Fastify's route table, read from `printRoutes` (one line per node, four characters per level). */
function fastifyRoutes(fastify: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    stack.length = match[1].length / 4;
    stack.push(match[2]);
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`);
  }
  return routes;
}

/** The routes anyone may call without a token; adding one is a decision, so it is listed here. */
const PUBLIC_ROUTES = [
  'GET /api/v1/openapi.json',
  'GET /docs',
  'GET /docs/assets/:file',
  'GET /health',
  'GET /metrics',
  'POST /api/v1/invite-acceptances',
  'POST /api/v1/sessions',
  'POST /api/v1/signup',
];

type Action = 'list' | 'fetch' | 'create' | 'update' | 'delete';
const ACTIONS: Action[] = ['list', 'fetch', 'create', 'update', 'delete'];

/** The permission the generated controller puts on each action (an action a type does not offer still needs read). */
const permissionOf = (def: ResourceDefinition, action: Action): Permission =>
  action === 'list' || action === 'fetch' ? def.permissions!.read : (def.permissions?.[action] ?? def.permissions!.read);

describe(`every route and the permission matrix (${PROFILE})`, () => {
  let t: TestApp;
  let shop: Shop;
  const callers: Array<{ who: string; role: Role; token: string }> = [];

  beforeAll(async () => {
    t = await bootApp();
    shop = await newShop(t);
    const store = (await create(t, shop.accessToken, 'stores', { name: 'Matrix store' })).id;
    callers.push({ who: 'owner', role: 'owner', token: shop.accessToken });
    for (const role of ROLES.filter((r) => r !== 'owner')) callers.push({ who: role, role, token: (await newEmployee(t, shop.accessToken, role, [store])).accessToken });
    const device = await create(t, shop.accessToken, 'device-tokens', { name: 'Matrix till' }, { store: one('stores', store) });
    callers.push({ who: 'device (a florist)', role: 'florist', token: device.attributes.token });
  });
  afterAll(async () => {
    await t.close();
  });

  it('knows every route Fastify serves: none bypasses the Nest guards', () => {
    expect(fastifyRoutes(t.app.getHttpAdapter().getInstance()).sort()).toEqual(nestRoutes(t).map((r) => r.route).sort());
  });

  it('gives every route a permission of the matrix, or marks it public, never both; and only the known routes are public', () => {
    const routes = nestRoutes(t);
    expect(routes.length).toBeGreaterThan(30);
    const faults = routes.filter((r) => r.isPublic === (r.permission !== undefined) || (r.permission !== undefined && !(r.permission in PERMISSION_MATRIX)));
    expect(faults).toEqual([]);
    expect(routes.filter((r) => r.isPublic).map((r) => r.route).sort()).toEqual(PUBLIC_ROUTES);
  });

  it('answers 403 forbidden exactly when the role lacks the permission, for every action on every resource type', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const { def } of t.app.get(ResourceRegistry).all()) {
      const base = `/api/v1/${resourcePath(def)}`;
      const ghost = uuid7();
      const request: Record<Action, [string, string, unknown?]> = {
        list: ['GET', base],
        fetch: ['GET', `${base}/${ghost}`],
        create: ['POST', base, { data: { type: def.type, attributes: {} } }],
        update: ['PATCH', `${base}/${ghost}`, { data: { type: def.type, id: ghost, attributes: {} } }],
        delete: ['DELETE', `${base}/${ghost}`],
      };
      for (const action of ACTIONS) {
        const permission = permissionOf(def, action);
        for (const { who, role, token } of callers) {
          const [method, url, body] = request[action];
          const res = await t.request(method, url, { token, body });
          const refused = res.status === 403 && res.body.errors?.[0]?.code === 'forbidden';
          checked++;
          if (refused !== !can(role, permission)) mismatches.push(`${who} ${method} ${url.replace(ghost, ':id')} (${permission}): ${res.status} ${res.body?.errors?.[0]?.code ?? ''}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it('guards every export route with the permission its definition names (and reading the type), and only types that declare one have it', async () => {
    const routes = nestRoutes(t);
    const mismatches: string[] = [];
    const exportable: string[] = [];
    for (const { def } of t.app.get(ResourceRegistry).all()) {
      const route = routes.find((r) => r.route === `GET /api/v1/${resourcePath(def)}/export`);
      expect({ type: def.type, route: route?.permission }).toEqual({ type: def.type, route: def.export?.permission });
      if (!def.export) continue;
      exportable.push(def.type);
      for (const { who, role, token } of callers) {
        const res = await t.request('GET', `/api/v1/${resourcePath(def)}/export`, { token, headers: { accept: 'text/csv' } });
        const allowed = can(role, def.export.permission) && can(role, def.permissions!.read);
        const refused = res.status === 403 && res.body.errors?.[0]?.code === 'forbidden';
        if (refused === allowed || (allowed && res.status !== 200)) mismatches.push(`${who} GET ${def.type}/export (${def.export.permission}): ${res.status}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(exportable).toEqual(['audit-events', 'orders', 'products', 'stock-levels', 'stock-movements', 'suppliers']);
  });
});
