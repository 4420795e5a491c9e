import { randomBytes, randomInt } from 'node:crypto';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import type { TestApp } from './app-harness';

/** A client address of its own, so one test's requests never meet another's rate limits. */
export const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

export const uniqueEmail = (label = 'owner') => `${label}-${randomBytes(6).toString('hex')}@example.com`;

export function signupDocument(overrides: Record<string, unknown> = {}) {
  return {
    data: {
      type: 'signups',
      attributes: {
        tenantName: 'Rose & Co',
        ownerName: 'Anna Petrova',
        email: uniqueEmail(),
        password: 'correct horse battery staple',
        currency: 'RUB',
        timeZone: 'Europe/Moscow',
        ...overrides,
      },
    },
  };
}

export const loginDocument = (email: string, password: string) => ({
  data: { type: 'sessions', attributes: { email, password } },
});

export interface Shop {
  tenantId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs a new shop up and logs its owner in. */
export async function newShop(t: TestApp, overrides: Record<string, unknown> = {}): Promise<Shop> {
  const doc = signupDocument(overrides);
  const ip = freshIp();
  const signup = await t.request('POST', '/api/v1/signup', { body: doc, ip });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${signup.text}`);
  const { email, password } = doc.data.attributes as { email: string; password: string };
  const login = await t.request('POST', '/api/v1/sessions', { body: loginDocument(email, password), ip });
  if (login.status !== 201) throw new Error(`login failed: ${login.status} ${login.text}`);
  const { accessToken, refreshToken } = login.body.data.attributes;
  return { tenantId: signup.body.data.id, email, password, accessToken, refreshToken };
}

export const storeDocument = (attributes: Record<string, unknown>, id?: string) => ({
  data: { type: 'stores', ...(id && { id }), attributes },
});

/** The shard holding a tenant's data, from the catalog. */
export async function shardOf(t: TestApp, tenantId: string): Promise<string> {
  if (t.config.shards.length === 1) return t.config.shards[0].id;
  const [row] = await t.app.get(CatalogDatabase).dataSource.query('SELECT shard_id AS shard FROM tenants WHERE id = ?', [tenantId]);
  return row.shard;
}

export interface Member {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** The invited employee sets their password with the invite token (public: no bearer token). */
export const acceptInvite = (t: TestApp, inviteToken: string, password: string) =>
  t.request('POST', '/api/v1/invite-acceptances', { body: { data: { type: 'invite-acceptances', attributes: { token: inviteToken, password } } }, ip: freshIp() });

/** Adds an employee through the API (as `token`'s holder), accepts their invite and logs them in. */
export async function newEmployee(t: TestApp, token: string, role: string, storeIds: string[] = [], extra: Record<string, unknown> = {}): Promise<Member> {
  const email = uniqueEmail(role);
  const password = 'a long enough password';
  const res = await t.request('POST', '/api/v1/employees', {
    token,
    body: {
      data: {
        type: 'employees',
        attributes: { name: `${role} person`, email, role, ...extra },
        relationships: { stores: { data: storeIds.map((id) => ({ type: 'stores', id })) } },
      },
    },
  });
  if (res.status !== 201) throw new Error(`adding a ${role} failed: ${res.status} ${res.text}`);
  const accepted = await acceptInvite(t, res.body.data.attributes.inviteToken, password);
  if (accepted.status !== 201) throw new Error(`accepting the invite of a ${role} failed: ${accepted.status} ${accepted.text}`);
  const login = await t.request('POST', '/api/v1/sessions', { body: loginDocument(email, password), ip: freshIp() });
  if (login.status !== 201) throw new Error(`login as ${role} failed: ${login.status} ${login.text}`);
  const { accessToken, refreshToken } = login.body.data.attributes;
  return { id: res.body.data.id, email, password, accessToken, refreshToken };
}
