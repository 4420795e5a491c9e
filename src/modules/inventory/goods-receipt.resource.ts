import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { GoodsReceiptCreateDto, GoodsReceiptLineCreateDto } from './dto/stock-document.dto';
import { documentEmployee } from './stock/document-employee';

const stock = { read: Permission.StockRead, create: Permission.StockWrite } as const;

export const goodsReceiptResource = defineResource({
  type: 'goods-receipts',
  description:
    'A delivery from a supplier into a store. Create it and its lines in one atomic operations request (the lines name it by `lid`); ' +
    'each line becomes a batch and a receipt movement. Lines cannot be added later.',
  attributes: {
    receivedAt: { type: 'datetime', sortable: true, filter: { operators: ['gte', 'lt'] }, description: 'When the goods arrived (now by default; not in the future).' },
    invoiceNumber: { type: 'string', nullable: true, filter: true },
    note: { type: 'string', nullable: true },
    totalCost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Sum of the lines, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, required: true, filterable: true, includable: true },
    supplier: { type: 'suppliers', kind: 'to-one', foreignKey: 'supplierId', writable: true, nullable: true, filterable: true, includable: true },
    employee: documentEmployee,
    lines: { type: 'goods-receipt-lines', kind: 'to-many', includable: true },
  },
  defaultSort: ['-receivedAt'],
  page: { defaultSize: 25, maxSize: 100 },
  permissions: stock,
  createDto: GoodsReceiptCreateDto,
});

export const goodsReceiptLineResource = defineResource({
  type: 'goods-receipt-lines',
  description: 'One product of a goods receipt: how much and at what cost. Created with its receipt; it becomes a batch.',
  attributes: {
    quantity: { type: 'decimal', description: 'Positive; whole for stems and pieces.' },
    unitCost: { type: 'integer', readPermission: Permission.StockCostRead, description: 'Cost price per unit, minor units.' },
    cost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'quantity x unitCost, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    goodsReceipt: { type: 'goods-receipts', kind: 'to-one', foreignKey: 'documentId', writable: true, required: true, filterable: true, includable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', writable: true, required: true, filterable: true, includable: true },
    batch: { type: 'stock-batches', kind: 'to-one', foreignKey: 'batchId', includable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: stock,
  createDto: GoodsReceiptLineCreateDto,
});
