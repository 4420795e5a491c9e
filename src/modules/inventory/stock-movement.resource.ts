import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { MOVEMENT_KINDS, STOCK_DOCUMENT_TYPES } from './entities';

const document = (type: string, foreignKey: string) => ({ type, kind: 'to-one' as const, foreignKey, nullable: true, includable: true, description: `Set when the movement comes from a ${type} document.` });

export const stockMovementResource = defineResource({
  type: 'stock-movements',
  description:
    'The stock ledger, append-only: every change of a level is a movement (negative takes stock out). ' +
    'Consumption names the batch it took from (first expiring first); a movement without a batch is stock sold offline before it was received.',
  attributes: {
    kind: { type: 'enum', enum: MOVEMENT_KINDS, filter: true, sortable: true },
    quantity: { type: 'decimal', description: 'Signed, in the product’s unit.' },
    cost: { type: 'integer', nullable: true, readPermission: Permission.StockCostRead, description: 'What the moved stock cost, minor units, from its batch (never negative).' },
    occurredAt: { type: 'datetime', sortable: true, filter: { operators: ['gte', 'lt'] } },
    reason: { type: 'string', nullable: true },
    documentType: { type: 'enum', enum: STOCK_DOCUMENT_TYPES, nullable: true, filter: true, description: 'The type of the document behind the movement.' },
    createdAt: { type: 'datetime', sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', filterable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', filterable: true, includable: true },
    batch: { type: 'stock-batches', kind: 'to-one', foreignKey: 'batchId', nullable: true, filterable: true, includable: true },
    employee: { type: 'employees', kind: 'to-one', foreignKey: 'employeeId', nullable: true, includable: true },
    goodsReceipt: document('goods-receipts', 'goodsReceiptId'),
    writeOff: document('write-offs', 'writeOffId'),
    transfer: document('transfers', 'transferId'),
    stockCount: document('stock-counts', 'stockCountId'),
  },
  defaultSort: ['-occurredAt'],
  page: { defaultSize: 50, maxSize: 500 },
  permissions: { read: Permission.StockRead },
  export: { permission: Permission.ReportsRead },
});
