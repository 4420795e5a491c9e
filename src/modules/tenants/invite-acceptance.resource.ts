import { defineResource } from '../../infra/json-api/resource-definition';
import { InviteAcceptanceCreateDto } from './dto/invite-acceptance.dto';

/** Public: the invited employee sets their own password (then logs in with `POST /api/v1/sessions`). */
export const inviteAcceptanceResource = defineResource({
  type: 'invite-acceptances',
  description: 'An employee accepts their invite with a password of their own. The token works once, for 7 days; a password reset issues a new one.',
  addressable: false,
  clientIds: false,
  attributes: {
    token: { type: 'string', writeOnly: true },
    password: { type: 'string', writeOnly: true },
    acceptedAt: { type: 'datetime', readOnly: true },
  },
  defaultSort: [],
  page: { defaultSize: 1, maxSize: 1 },
  createDto: InviteAcceptanceCreateDto,
});
