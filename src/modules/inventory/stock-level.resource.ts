import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { CATALOG_CACHE, STOCK_CACHE } from './stock/cache-tags';

export const stockLevelResource = defineResource({
  type: 'stock-levels',
  description:
    'How much of a product a store has: the hot read of the point of sale, e.g. `?filter[store]=<id>&filter[inStock]=true&include=product`. ' +
    'Read-only: stock changes through documents (goods receipts, write-offs, transfers, counts) and sales. ' +
    'A read naming one store is served from the cache and is fresh after every committed change in that store.',
  attributes: {
    quantity: {
      type: 'decimal',
      sortable: true,
      filter: { operators: ['eq', 'gt', 'gte', 'lt', 'lte'] },
      description: 'In the product’s unit; whole for stems and pieces. Negative when offline sales took more than the books held: count it.',
    },
    inStock: { type: 'boolean', readOnly: true, filter: true, description: 'quantity > 0.' },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', filterable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', filterable: true, includable: true },
  },
  defaultSort: [],
  page: { defaultSize: 100, maxSize: 500 },
  feed: true,
  permissions: { read: Permission.StockRead },
  export: { permission: Permission.ReportsRead },
  cache: { namespace: STOCK_CACHE, scope: 'store', dependsOn: [CATALOG_CACHE] },
});
