import { defineResource } from '../../infra/json-api/resource-definition';
import { SessionCreateDto } from './dto/session-create.dto';

export const sessionResource = defineResource({
  type: 'sessions',
  description: 'A login. POST with email and password, or with a refreshToken to rotate it.',
  addressable: false,
  storage: 'catalog',
  clientIds: false,
  attributes: {
    email: { type: 'string', writeOnly: true, sensitive: true },
    password: { type: 'string', writeOnly: true },
    refreshToken: { type: 'string' },
    accessToken: { type: 'string', readOnly: true },
    tokenType: { type: 'string', readOnly: true },
    expiresAt: { type: 'datetime', readOnly: true },
    refreshExpiresAt: { type: 'datetime', readOnly: true },
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
  createDto: SessionCreateDto,
});
