import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { BATCH_SOURCES } from './entities';

export const stockBatchResource = defineResource({
  type: 'stock-batches',
  description:
    'A lot of one product in one store, received together: sold first-expired-first-out. ' +
    'What to sell first in a store: `?filter[store]=<id>&filter[daysLeft][lte]=2&filter[quantityLeft][gt]=0` (ordered by expiresAt).',
  attributes: {
    quantityReceived: { type: 'decimal', readOnly: true },
    quantityLeft: { type: 'decimal', readOnly: true, sortable: true, filter: { operators: ['eq', 'gt', 'gte', 'lt', 'lte'] } },
    unitCost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost price per unit, minor units.' },
    source: { type: 'enum', enum: BATCH_SOURCES, readOnly: true, filter: true, description: 'receipt, transfer-in, return, or adjustment (a count found more).' },
    receivedAt: { type: 'datetime', readOnly: true, sortable: true, filter: { operators: ['gte', 'lt'] } },
    expiresAt: { type: 'datetime', nullable: true, readOnly: true, sortable: true, filter: { operators: ['gte', 'lt', 'lte'] }, description: 'receivedAt plus the product’s shelf life; null if it keeps.' },
    daysLeft: {
      type: 'integer',
      nullable: true,
      readOnly: true,
      filter: { operators: ['eq', 'lt', 'lte', 'gt', 'gte'] },
      description: 'Days until expiresAt as of the request, rounded up: 1 means it expires within a day; 0 or less, expired.',
    },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', filterable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', filterable: true, includable: true },
    supplier: { type: 'suppliers', kind: 'to-one', foreignKey: 'supplierId', nullable: true, filterable: true, includable: true },
  },
  defaultSort: ['expiresAt'],
  page: { defaultSize: 50, maxSize: 500 },
  permissions: { read: Permission.StockRead },
});
