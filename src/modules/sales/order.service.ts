import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Permission, can } from '../../infra/auth/permissions';
import { uuid7 } from '../../infra/database/uuid7';
import { notFound } from '../../infra/json-api/json-api.errors';
import type { Page } from '../../infra/json-api/pagination';
import type { Linkage, ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ProductRepository } from '../inventory/product.repository';
import { costOf, fromMilli, toMilli } from '../inventory/stock/quantity';
import { checkWhole } from '../inventory/stock/stock-demand';
import { CourierRoster } from './courier-roster';
import type { OrderCreateDto, OrderLineCreateDto, OrderUpdateDto } from './dto/order.dto';
import type { Order, OrderLine } from './entities';
import { OrderLineRepository, OrderRepository } from './order.repository';
import { COURIER_STATUSES, DELETABLE_STATUSES, checkTransition } from './order-status';
import { SalesError, SalesErrorCode } from './sales.errors';
import { sellableProduct } from './sellable';

/** After sealing, sensitive attributes hold ciphertext and the phone's blind index rides along. */
type Sealed<T> = T & { recipientPhoneIndex?: string };

// Orders created in each open transaction: their lines come in the same request
// (atomic operations with `lid`s); once it commits, the order's lines are final.
const opened = new WeakMap<EntityManager, Set<string>>();

const courierRefusal = (pointer: string, detail: string) => new SalesError(SalesErrorCode.CourierNotAllowed, detail, { pointer });

/**
 * The `orders` resource. Florists, managers and owners take and edit orders of
 * their stores; a courier (who lacks `orders:write`) may only move the status of
 * an order assigned to them out for delivery and to delivered: whatever else
 * their PATCH names is 403 pointing at it. Status changes follow
 * `ORDER_TRANSITIONS`; the courier must be an active courier of the order's store.
 */
@Injectable()
export class OrderService implements ResourceHandler<Order> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly lines: OrderLineRepository,
    private readonly couriers: CourierRoster,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Order>> {
    return this.orders.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Order[]> {
    return this.orders.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<Sealed<OrderCreateDto>>): Promise<Order> {
    const storeId = relationships.store as string;
    if (!(await this.orders.holdStore(ctx, storeId))) throw notFound('stores', storeId);
    const courierId = (relationships.courier as string | null | undefined) ?? null;
    if (courierId) await this.couriers.check(ctx, courierId, storeId);
    const now = new Date();
    const order = await this.orders.insert(ctx, {
      id: id ?? uuid7(),
      number: await this.orders.nextNumber(ctx),
      storeId,
      courierId,
      deliveryDate: a.deliveryDate,
      deliverySlot: a.deliverySlot,
      recipientNameCiphertext: a.recipientName,
      recipientPhoneCiphertext: a.recipientPhone,
      recipientPhoneIndex: a.recipientPhoneIndex!,
      addressCiphertext: a.address,
      cardMessageCiphertext: a.cardMessage ?? null,
      status: a.status ?? 'new',
      total: 0,
      createdAt: now,
      updatedAt: now,
    });
    if (ctx.tx) opened.set(ctx.tx, (opened.get(ctx.tx) ?? new Set<string>()).add(order.id));
    return order;
  }

  async update(ctx: RequestContext, id: string, input: ResourceInput<Sealed<OrderUpdateDto>>): Promise<Order> {
    const { attributes: a, relationships } = input;
    const current = (await this.orders.forChange(ctx, id))!;
    if (!can(ctx.role, Permission.OrdersWrite)) this.courierMay(input);
    if (a.status !== undefined) checkTransition(current.status, a.status);
    const storeId = (relationships.store as string | undefined) ?? current.storeId;
    if (storeId !== current.storeId && !(await this.orders.holdStore(ctx, storeId))) throw notFound('stores', storeId);
    const courierId = relationships.courier !== undefined ? (relationships.courier as string | null) : current.courierId;
    // A new courier, or a new store for the courier kept: either way they must work there.
    if (courierId && (relationships.courier !== undefined || storeId !== current.storeId)) {
      await this.couriers.check(ctx, courierId, storeId, relationships.courier !== undefined ? undefined : '/data/relationships/store/data');
    }
    await this.orders.update(ctx, id, {
      ...(a.deliveryDate !== undefined && { deliveryDate: a.deliveryDate }),
      ...(a.deliverySlot !== undefined && { deliverySlot: a.deliverySlot }),
      ...(a.recipientName !== undefined && { recipientNameCiphertext: a.recipientName }),
      ...(a.recipientPhone !== undefined && { recipientPhoneCiphertext: a.recipientPhone, recipientPhoneIndex: a.recipientPhoneIndex! }),
      ...(a.address !== undefined && { addressCiphertext: a.address }),
      ...(a.cardMessage !== undefined && { cardMessageCiphertext: a.cardMessage }),
      ...(a.status !== undefined && { status: a.status }),
      ...(relationships.store !== undefined && { storeId }),
      ...(relationships.courier !== undefined && { courierId }),
      updatedAt: new Date(),
    });
    return (await this.orders.forChange(ctx, id))!;
  }

  /** Only an order nothing has happened to yet, or one called off; its lines go with it. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    const order = (await this.orders.forChange(ctx, id))!;
    if (!DELETABLE_STATUSES.includes(order.status)) {
      throw new SalesError(SalesErrorCode.OrderNotDeletable, `Order ${order.number} is ${order.status}: only new or cancelled orders can be deleted; cancel it instead.`);
    }
    await this.orders.delete(ctx, id);
  }

  linkage(ctx: RequestContext, _relationship: string, records: readonly Order[]): Promise<Map<string, Linkage>> {
    return this.lines.idsByOwner(ctx, records.map((r) => r.id));
  }

  /** A courier's PATCH: the status alone, and only to out-for-delivery or delivered. */
  private courierMay({ attributes, relationships }: ResourceInput<OrderUpdateDto>): void {
    for (const name of Object.keys(relationships)) {
      throw courierRefusal(`/data/relationships/${name}`, `A courier cannot change the ${name} of an order.`);
    }
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined) continue;
      if (name !== 'status') throw courierRefusal(`/data/attributes/${name}`, `A courier changes only the status of an order, not its ${name}.`);
      if (!COURIER_STATUSES.includes(value as never)) {
        throw courierRefusal('/data/attributes/status', `A courier sets only ${COURIER_STATUSES.join(' or ')}, not ${String(value)}.`);
      }
    }
  }
}

/** The `order-lines` resource: created with their order, priced from the product unless given. */
@Injectable()
export class OrderLineService implements ResourceHandler<OrderLine> {
  constructor(
    private readonly lines: OrderLineRepository,
    private readonly orders: OrderRepository,
    private readonly products: ProductRepository,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<OrderLine>> {
    return this.lines.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<OrderLine[]> {
    return this.lines.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<OrderLineCreateDto>): Promise<OrderLine> {
    const orderId = relationships.order as string;
    if (!ctx.tx || !opened.get(ctx.tx)?.has(orderId)) {
      throw new SalesError(SalesErrorCode.OrderClosed, 'Lines are added in the request that creates their order: send the order and its lines in one atomic operations request.', {
        pointer: '/data/relationships/order/data',
      });
    }
    const product = await sellableProduct(ctx, this.products, relationships.product as string);
    const quantity = toMilli(a.quantity);
    checkWhole(product, quantity, '/data/attributes/quantity');
    const unitPrice = a.unitPrice ?? product.price;
    const total = costOf(quantity, unitPrice);
    const order = (await this.orders.forChange(ctx, orderId))!;
    const line = await this.lines.insert(ctx, { id: id ?? uuid7(), orderId, productId: product.id, quantity: fromMilli(quantity), unitPrice, total, createdAt: new Date() });
    await this.orders.update(ctx, orderId, { total: order.total + total, updatedAt: new Date() });
    return line;
  }
}
