import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { StoreCreateDto } from './dto/store-create.dto';
import { StoreUpdateDto } from './dto/store-update.dto';

export const storeResource = defineResource({
  type: 'stores',
  description: 'A shop location: where flowers are kept, sold and counted.',
  attributes: {
    name: { type: 'string', sortable: true, filter: true },
    address: { type: 'string', nullable: true },
    timeZone: { type: 'string', filter: true, description: 'IANA time zone; reports use it. Defaults to the shop’s.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true, filter: { operators: ['gte', 'lt'] } },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {},
  defaultSort: ['name'],
  page: { defaultSize: 25, maxSize: 100 },
  feed: true,
  permissions: {
    read: Permission.StoresRead,
    create: Permission.StoresCreate,
    update: Permission.StoresUpdate,
    delete: Permission.StoresDelete,
  },
  createDto: StoreCreateDto,
  updateDto: StoreUpdateDto,
});
