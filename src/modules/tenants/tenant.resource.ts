import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { SignupCreateDto } from './dto/signup-create.dto';
import { TenantUpdateDto } from './dto/tenant-update.dto';

export const tenantResource = defineResource({
  type: 'tenants',
  description: 'The shop business. Only your own is visible: GET /api/v1/tenants/current.',
  storage: 'catalog',
  attributes: {
    name: { type: 'string' },
    currency: { type: 'string', readOnly: true, description: 'ISO 4217; money amounts are integers in its minor unit.' },
    timeZone: { type: 'string' },
    createdAt: { type: 'datetime', readOnly: true },
    updatedAt: { type: 'datetime', readOnly: true },
  },
  relationships: {},
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
  permissions: { read: Permission.TenantRead, update: Permission.TenantUpdate },
  updateDto: TenantUpdateDto,
});

/** The signup document: creates a tenant and its owner; answered with the tenant. */
export const signupResource = defineResource({
  type: 'signups',
  path: 'signup',
  storage: 'catalog',
  clientIds: false,
  attributes: {
    tenantName: { type: 'string' },
    ownerName: { type: 'string', sensitive: true },
    email: { type: 'string', sensitive: true, writeOnly: true },
    password: { type: 'string', writeOnly: true },
    currency: { type: 'string' },
    timeZone: { type: 'string' },
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
  createDto: SignupCreateDto,
});
