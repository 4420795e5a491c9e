import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { PaymentCreateDto, SaleCreateDto, SaleLineCreateDto } from './dto/sale.dto';
import { PAYMENT_METHODS } from './entities';

/** Records of money: created, read, never changed or deleted (PATCH and DELETE answer 403 `action-not-supported`). */
const sales = { read: Permission.SalesRead, create: Permission.SalesWrite } as const;
const sale = { type: 'sales', kind: 'to-one', foreignKey: 'saleId', writable: true, required: true, filterable: true, includable: true } as const;

export const saleResource = defineResource({
  type: 'sales',
  description:
    'A sale at the till. Create it with its lines and payments in one atomic operations request (they name it by `lid`); nothing can be added, changed or deleted later. ' +
    'When the request commits, the payments of each sale add up to its total. Stock goes out with each line; a sale made offline is recorded even beyond stock.',
  attributes: {
    number: { type: 'integer', readOnly: true, sortable: true, filter: true, description: 'Per shop, 1, 2, 3...: the receipt number.' },
    soldAt: {
      type: 'datetime',
      sortable: true,
      filter: { operators: ['gte', 'lt'] },
      description: 'When it was sold, on the device’s clock (an offline sale is sent later); now by default; not more than 5 minutes ahead of the server.',
    },
    receivedAt: { type: 'datetime', readOnly: true, sortable: true, description: 'When the server recorded it.' },
    offline: { type: 'boolean', filter: true, description: 'Sold while the till was offline: recorded even beyond stock (the level goes negative). false by default.' },
    subtotal: { type: 'integer', readOnly: true, description: 'Sum of the lines’ totals, minor units.' },
    discount: { type: 'integer', description: 'Off the whole sale, minor units; 0 by default; not more than the subtotal.' },
    total: { type: 'integer', readOnly: true, description: 'subtotal - discount, minor units: what the payments add up to.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true, property: 'receivedAt', description: 'The same as receivedAt.' },
    updatedAt: { type: 'datetime', readOnly: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, required: true, filterable: true, includable: true, description: 'One of the caller’s stores (a POS terminal’s own).' },
    employee: {
      type: 'employees',
      kind: 'to-one',
      foreignKey: 'employeeId',
      writable: true,
      filterable: true,
      includable: true,
      description:
        'Who sold it. With a user’s token, the caller (naming anyone else is 422). A POS terminal’s device token must name them: ' +
        'an active employee who may sell and works in the sale’s store (else 422 `invalid-employee`).',
    },
    lines: { type: 'sale-lines', kind: 'to-many', includable: true },
    payments: { type: 'payments', kind: 'to-many', includable: true },
  },
  defaultSort: ['-soldAt'],
  page: { defaultSize: 50, maxSize: 200 },
  feed: true,
  permissions: sales,
  createDto: SaleCreateDto,
});

export const saleLineResource = defineResource({
  type: 'sale-lines',
  description: 'One product of a sale. Created with its sale; its stock goes out through the ledger in the same transaction.',
  attributes: {
    quantity: { type: 'decimal', description: 'Positive; whole for stems and pieces.' },
    unitPrice: { type: 'integer', description: 'Minor units per unit; the product’s price by default.' },
    discount: { type: 'integer', description: 'Off this line, minor units; 0 by default; not more than quantity x unitPrice.' },
    total: { type: 'integer', readOnly: true, description: 'quantity x unitPrice (half up) - discount, minor units.' },
    cost: { type: 'integer', readOnly: true, readPermission: Permission.StockCostRead, description: 'Cost of goods from the batches the ledger took (first expiring first), minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    sale,
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', writable: true, required: true, filterable: true, includable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: sales,
  createDto: SaleLineCreateDto,
});

export const paymentResource = defineResource({
  type: 'payments',
  description: 'Money taken for a sale. Created with its sale.',
  attributes: {
    method: { type: 'enum', enum: PAYMENT_METHODS, filter: true },
    amount: { type: 'integer', description: 'Positive, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: { sale },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: sales,
  createDto: PaymentCreateDto,
});
