import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { OrderCreateDto, OrderLineCreateDto, OrderUpdateDto } from './dto/order.dto';
import { ORDER_STATUSES } from './entities';

/**
 * Every role reads orders (a courier only those assigned to them: the record
 * scope); florists and up write them; a courier's PATCH may only move the
 * status of their own order out for delivery and to delivered (the service
 * refuses anything else it sends with 403 naming the member).
 */
const orders = { read: Permission.OrdersReadAssigned, create: Permission.OrdersWrite, update: Permission.OrdersDeliver, delete: Permission.OrdersWrite } as const;

export const orderResource = defineResource({
  type: 'orders',
  description:
    'A pre-order with delivery. Create it and its lines in one atomic operations request (the lines name it by `lid`); lines cannot be added later. ' +
    'The recipient’s name, phone, address and card message are stored only encrypted; filter[recipientPhone] matches any way of writing the number. ' +
    'A courier sees only the orders assigned to them in their stores, and may only set status to out-for-delivery or delivered.',
  attributes: {
    number: { type: 'integer', readOnly: true, sortable: true, filter: true, description: 'Per shop, 1, 2, 3...: what people say on the phone.' },
    deliveryDate: { type: 'date', sortable: true, filter: { operators: ['eq', 'gte', 'lte'] }, description: 'The day it is delivered, in the store’s time zone.' },
    deliverySlot: { type: 'string', filter: true, sortable: true, description: 'The time window, e.g. 10:00-12:00 (24-hour clock).' },
    recipientName: { type: 'string', sensitive: true, property: 'recipientNameCiphertext' },
    recipientPhone: {
      type: 'string',
      sensitive: true,
      property: 'recipientPhoneCiphertext',
      filter: true,
      blindIndex: { normalise: 'phone', property: 'recipientPhoneIndex', scope: 'tenant' },
      description: 'Read in the shop’s country unless given with +; stored as written.',
    },
    address: { type: 'string', sensitive: true, property: 'addressCiphertext' },
    cardMessage: { type: 'string', nullable: true, sensitive: true, property: 'cardMessageCiphertext', description: 'What the card says.' },
    status: {
      type: 'enum',
      enum: ORDER_STATUSES,
      filter: true,
      sortable: true,
      description:
        'new -> confirmed -> assembled -> out-for-delivery -> delivered; cancelled from any status before out-for-delivery; out-for-delivery -> assembled when a delivery fails.',
    },
    total: { type: 'integer', readOnly: true, description: 'Sum of the lines, minor units.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    store: { type: 'stores', kind: 'to-one', foreignKey: 'storeId', writable: true, required: true, filterable: true, includable: true },
    courier: {
      type: 'employees',
      kind: 'to-one',
      foreignKey: 'courierId',
      writable: true,
      nullable: true,
      filterable: true,
      includable: true,
      description: 'Who delivers it: an active courier who works in the order’s store.',
    },
    lines: { type: 'order-lines', kind: 'to-many', includable: true },
  },
  defaultSort: ['deliveryDate', 'deliverySlot'],
  page: { defaultSize: 50, maxSize: 200 },
  feed: true,
  permissions: orders,
  // The day's deliveries for a manager to print or hand to a delivery service: recipients decrypted, so on the audit log.
  export: { permission: Permission.ReportsRead },
  createDto: OrderCreateDto,
  updateDto: OrderUpdateDto,
});

export const orderLineResource = defineResource({
  type: 'order-lines',
  description: 'One product of an order: how much and at what price. Created with its order; seen by whoever sees the order.',
  attributes: {
    quantity: { type: 'decimal', description: 'Positive; whole for stems and pieces.' },
    // A courier sees what to hand over and the order's total to collect, not the shop's prices.
    unitPrice: { type: 'integer', readPermission: Permission.OrdersRead, description: 'Minor units per unit; the product’s price by default.' },
    total: { type: 'integer', readOnly: true, readPermission: Permission.OrdersRead, description: 'quantity x unitPrice, minor units (half up).' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    order: { type: 'orders', kind: 'to-one', foreignKey: 'orderId', writable: true, required: true, filterable: true, includable: true },
    product: { type: 'products', kind: 'to-one', foreignKey: 'productId', writable: true, required: true, filterable: true, includable: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 100, maxSize: 500 },
  permissions: { read: Permission.OrdersReadAssigned, create: Permission.OrdersWrite },
  createDto: OrderLineCreateDto,
});
