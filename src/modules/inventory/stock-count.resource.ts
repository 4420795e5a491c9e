import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { StockCountCreateDto, StockCountLineCreateDto } from './dto/stock-document.dto';
import { documentEmployee } from './stock/document-employee';

const stock = { read: Permission.StockRead, create: Permission.StockWrite } as const;

export const stockCountResource = defineResource({
  type: 'stock-counts',
  description: 'A count of what a store really has. Create it and its lines in one atomic operations request; each line adjusts the level to what was counted.',
  attributes: {
    note: { type: 'string', nullable: true },
    countedAt: { type: 'datetime', sortable: true, filter: { operators: ['gte', 'lt'] }, description: 'Now by default; not in the future.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, required: true, filterable: true, includable: true },
    employee: documentEmployee,
    lines: { type: 'stock-count-lines', kind: 'to-many', includable: true },
  },
  defaultSort: ['-countedAt'],
  page: { defaultSize: 25, maxSize: 100 },
  permissions: stock,
  createDto: StockCountCreateDto,
});

export const stockCountLineResource = defineResource({
  type: 'stock-count-lines',
  description: 'One product counted: the level becomes countedQuantity through an adjustment movement of the difference.',
  attributes: {
    countedQuantity: { type: 'decimal', property: 'quantity', description: 'What is there; 0 or more, whole for stems and pieces.' },
    expectedQuantity: { type: 'decimal', readOnly: true, description: 'The level before the count.' },
    difference: { type: 'decimal', readOnly: true, description: 'countedQuantity - expectedQuantity: the adjustment made.' },
    cost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost of the adjustment, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    stockCount: { type: 'stock-counts', kind: 'to-one', foreignKey: 'documentId', writable: true, required: true, filterable: true, includable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', writable: true, required: true, filterable: true, includable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: stock,
  createDto: StockCountLineCreateDto,
});
