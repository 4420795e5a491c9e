import { defineResource } from '../../infra/json-api/resource-definition';

export const sessionResource = defineResource({
  type: 'sessions',
  path: 'sessions',
  attributes: {
    email: { writeOnly: true, sensitive: true },
    password: { writeOnly: true },
    refreshToken: {},
    accessToken: { readOnly: true },
    tokenType: { readOnly: true },
    expiresAt: { readOnly: true },
    refreshExpiresAt: { readOnly: true },
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
});
