import { defineResource } from '../../infra/json-api/resource-definition';

export const storeResource = defineResource({
  type: 'stores',
  path: 'stores',
  attributes: {
    name: { sortable: true, filter: 'string' },
    address: {},
    timeZone: { filter: 'string' },
    createdAt: { readOnly: true, sortable: true },
    updatedAt: { readOnly: true, sortable: true },
  },
  defaultSort: ['name'],
  page: { defaultSize: 25, maxSize: 100 },
});
