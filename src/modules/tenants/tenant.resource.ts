import { defineResource } from '../../infra/json-api/resource-definition';

export const tenantResource = defineResource({
  type: 'tenants',
  path: 'tenants',
  attributes: {
    name: {},
    currency: {},
    timeZone: {},
    createdAt: { readOnly: true },
    updatedAt: { readOnly: true },
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
});

/** The signup document: creates a tenant and its owner; answered with the tenant. */
export const signupResource = defineResource({
  type: 'signups',
  path: 'signup',
  attributes: {
    tenantName: {},
    ownerName: { sensitive: true },
    email: { sensitive: true, writeOnly: true },
    password: { writeOnly: true },
    currency: {},
    timeZone: {},
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
});
