import { defineResource } from '../../infra/json-api/resource-definition';
import { PasswordChangeCreateDto } from './dto/password-change.dto';

/**
 * A logged-in person changes their own password. Every session they had ends,
 * the one that asked included, and the answer carries a new pair of tokens.
 */
export const passwordChangeResource = defineResource({
  type: 'password-changes',
  description:
    'The caller changes their own password with the current one. Every session of theirs ends, the calling one too; the answer carries the tokens of a new session.',
  addressable: false,
  storage: 'catalog',
  clientIds: false,
  attributes: {
    currentPassword: { type: 'string', writeOnly: true },
    password: { type: 'string', writeOnly: true },
    changedAt: { type: 'datetime', readOnly: true },
    accessToken: { type: 'string', readOnly: true },
    tokenType: { type: 'string', readOnly: true },
    expiresAt: { type: 'datetime', readOnly: true },
    refreshToken: { type: 'string', readOnly: true },
    refreshExpiresAt: { type: 'datetime', readOnly: true },
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
  createDto: PasswordChangeCreateDto,
});
