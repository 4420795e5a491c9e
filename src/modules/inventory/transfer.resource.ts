import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { StockLineCreateDto, TransferCreateDto, TransferUpdateDto } from './dto/stock-document.dto';
import { TRANSFER_STATUSES } from './entities';
import { documentEmployee } from './stock/document-employee';

export const transferResource = defineResource({
  type: 'transfers',
  description:
    'Stock moving between two stores. Create it and its lines in one atomic operations request: the stock leaves `fromStore` at once. ' +
    'It is `in-transit` (in neither store) until the receiving store accepts it with PATCH `status: received`; create it `received` to move it in one step.',
  attributes: {
    status: { type: 'enum', enum: TRANSFER_STATUSES, filter: true },
    note: { type: 'string', nullable: true },
    sentAt: { type: 'datetime', readOnly: true, sortable: true, filter: { operators: ['gte', 'lt'] } },
    receivedAt: { type: 'datetime', nullable: true, readOnly: true, sortable: true },
    totalCost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost of the stock moved, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    fromStore: { type: 'stores', kind: 'to-one', foreignKey: 'fromStoreId', writable: true, required: true, filterable: true, includable: true },
    toStore: { type: 'stores', kind: 'to-one', foreignKey: 'toStoreId', writable: true, required: true, filterable: true, includable: true },
    employee: documentEmployee,
    receiver: {
      ...documentEmployee,
      foreignKey: 'receivedBy',
      description: 'Who accepted it: named, as `employee` is, in the PATCH that accepts it (an employee of the receiving store); the employee for one made received.',
    },
    lines: { type: 'transfer-lines', kind: 'to-many', includable: true },
  },
  defaultSort: ['-sentAt'],
  page: { defaultSize: 25, maxSize: 100 },
  permissions: { read: Permission.StockRead, create: Permission.StockWrite, update: Permission.StockWrite },
  createDto: TransferCreateDto,
  updateDto: TransferUpdateDto,
});

export const transferLineResource = defineResource({
  type: 'transfer-lines',
  description: 'One product of a transfer; it leaves the sending store first-expiring-first and arrives as batches with the same expiry and cost.',
  attributes: {
    quantity: { type: 'decimal', description: 'Positive; whole for stems and pieces.' },
    cost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost of the stock moved, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    transfer: { type: 'transfers', kind: 'to-one', foreignKey: 'documentId', writable: true, required: true, filterable: true, includable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', writable: true, required: true, filterable: true, includable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: { read: Permission.StockRead, create: Permission.StockWrite },
  createDto: StockLineCreateDto,
});
