import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { StockLineCreateDto, WriteOffCreateDto } from './dto/stock-document.dto';
import { WRITE_OFF_REASONS } from './entities';
import { documentEmployee } from './stock/document-employee';

const stock = { read: Permission.StockRead, create: Permission.StockWrite } as const;

export const writeOffResource = defineResource({
  type: 'write-offs',
  description:
    'Stock thrown away or used up, with the reason and the employee who did it. Create it and its lines in one atomic operations request; ' +
    'each line takes stock first-expiring-first and cannot take more than the store has.',
  attributes: {
    reason: { type: 'enum', enum: WRITE_OFF_REASONS, filter: true },
    note: { type: 'string', nullable: true },
    occurredAt: { type: 'datetime', sortable: true, filter: { operators: ['gte', 'lt'] }, description: 'Now by default; not in the future.' },
    totalCost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost of what was written off, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, required: true, filterable: true, includable: true },
    employee: documentEmployee,
    lines: { type: 'write-off-lines', kind: 'to-many', includable: true },
  },
  defaultSort: ['-occurredAt'],
  page: { defaultSize: 25, maxSize: 100 },
  permissions: stock,
  createDto: WriteOffCreateDto,
});

export const writeOffLineResource = defineResource({
  type: 'write-off-lines',
  description: 'One product of a write-off. A composition that is not stocked itself writes off its components.',
  attributes: {
    quantity: { type: 'decimal', description: 'Positive; whole for stems and pieces.' },
    cost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost of what the line took, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    writeOff: { type: 'write-offs', kind: 'to-one', foreignKey: 'documentId', writable: true, required: true, filterable: true, includable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', writable: true, required: true, filterable: true, includable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: stock,
  createDto: StockLineCreateDto,
});
