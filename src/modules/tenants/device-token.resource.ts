import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { DeviceTokenCreateDto } from './dto/device-token.dto';

export const deviceTokenResource = defineResource({
  type: 'device-tokens',
  description:
    'Long-lived credentials for POS terminals and shop tablets, bound to one store; the device acts as a florist there. ' +
    'The token is shown once, in the answer to the POST that creates it; DELETE revokes it at once.',
  storage: 'catalog',
  attributes: {
    name: { type: 'string', sortable: true },
    token: { type: 'string', nullable: true, readOnly: true, description: 'Only in the creation response: `Authorization: Bearer <token>`.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    lastUsedAt: { type: 'datetime', nullable: true, readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, required: true, includable: true, filterable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 50, maxSize: 200 },
  permissions: { read: Permission.DevicesManage, create: Permission.DevicesManage, delete: Permission.DevicesManage },
  createDto: DeviceTokenCreateDto,
});
