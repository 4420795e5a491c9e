import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Permission } from '../../infra/auth/permissions';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { uuid7 } from '../../infra/database/uuid7';
import { notFound } from '../../infra/json-api/json-api.errors';
import type { Page } from '../../infra/json-api/pagination';
import type { Linkage, ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { ProductRepository } from '../inventory/product.repository';
import { StockLedger } from '../inventory/stock-ledger.service';
import { costOf, fromMilli, toMilli } from '../inventory/stock/quantity';
import { checkWhole } from '../inventory/stock/stock-demand';
import { documentTime } from '../inventory/stock/stock-document.service';
import { ActingEmployees } from '../tenants';
import type { PaymentCreateDto, SaleCreateDto, SaleLineCreateDto } from './dto/sale.dto';
import type { Payment, Sale, SaleLine } from './entities';
import { PaymentRepository, SaleLineRepository, SaleRepository } from './sale.repository';
import { SalesError, SalesErrorCode } from './sales.errors';
import { sellableProduct } from './sellable';

/** A sale created in the open transaction, as its lines and payments leave it. */
interface OpenSale {
  sale: Sale;
  lines: number;
  paid: number;
}

// Sales created in each open transaction: their lines and payments come in the
// same request (atomic operations with `lid`s); once it commits, the sale is final.
const opened = new WeakMap<EntityManager, Map<string, OpenSale>>();

/** The sale a line or payment joins: one created in this request (409 `sale-closed` otherwise). */
function openSale(ctx: RequestContext, saleId: string): OpenSale {
  const open = ctx.tx && opened.get(ctx.tx)?.get(saleId);
  if (!open) {
    throw new SalesError(SalesErrorCode.SaleClosed, 'Lines and payments are added in the request that creates their sale: send the sale, its lines and its payments in one atomic operations request.', {
      pointer: '/data/relationships/sale/data',
    });
  }
  return open;
}

/**
 * What holds for every sale when its request commits: it has lines, its
 * discount is not more than its subtotal, and its payments add up to its total
 * (a till takes a sale's money in full). Runs once all operations of the
 * request are done, so their order does not matter. The operation that created
 * the sale is not known here: the errors point at the batch, and name the sale.
 */
function checkSettled({ sale, lines, paid }: OpenSale): void {
  if (!lines) {
    throw new SalesError(SalesErrorCode.SaleWithoutLines, `Sale ${sale.id} has no lines: send it with its lines and payments in one atomic operations request.`, { pointer: '' });
  }
  if (sale.discount > sale.subtotal) {
    throw new SalesError(SalesErrorCode.DiscountTooLarge, `Sale ${sale.id}: its discount ${sale.discount} is more than its subtotal ${sale.subtotal}.`, { pointer: '/atomic:operations' });
  }
  if (paid !== sale.total) {
    throw new SalesError(SalesErrorCode.PaymentsDoNotMatch, `Sale ${sale.id}: its payments add up to ${paid}, its total is ${sale.total}; a sale is paid in full.`, { pointer: '/atomic:operations' });
  }
}

/**
 * The `sales` resource: a record of money, created once with its lines and
 * payments and never changed or deleted. The employee is the caller, or for a
 * POS terminal's device token the employee it names.
 */
@Injectable()
export class SaleService implements ResourceHandler<Sale> {
  constructor(
    private readonly sales: SaleRepository,
    private readonly lines: SaleLineRepository,
    private readonly payments: PaymentRepository,
    private readonly employees: ActingEmployees,
    private readonly shards: ShardRegistry,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Sale>> {
    return this.sales.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Sale[]> {
    return this.sales.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<SaleCreateDto>): Promise<Sale> {
    const storeId = relationships.store as string;
    if (!(await this.sales.holdStore(ctx, storeId))) throw notFound('stores', storeId);
    const employeeId = await this.employees.of(ctx, relationships, storeId, Permission.SalesWrite);
    const soldAt = documentTime(a.soldAt, 'soldAt');
    const now = new Date();
    const discount = a.discount ?? 0;
    const [sale] = await this.sales.insert(ctx, [
      {
        id: id ?? uuid7(),
        number: await this.sales.nextNumber(ctx),
        storeId,
        employeeId,
        soldAt,
        receivedAt: now,
        offline: a.offline ?? false,
        subtotal: 0,
        discount,
        total: -discount,
        updatedAt: now,
      },
    ]);
    await this.open(ctx, sale);
    return sale;
  }

  linkage(ctx: RequestContext, relationship: string, records: readonly Sale[]): Promise<Map<string, Linkage>> {
    const ids = records.map((r) => r.id);
    return relationship === 'payments' ? this.payments.idsByOwner(ctx, ids) : this.lines.idsByOwner(ctx, ids);
  }

  /**
   * Opens the sale to its lines and payments until the request commits; then
   * checks it and writes its totals, once a sale rather than once a line.
   */
  private async open(ctx: RequestContext, sale: Sale): Promise<void> {
    // Every write runs in a transaction (WriteGate); a sale outside one could never be checked.
    if (!ctx.tx) throw new Error('A sale is created inside its request’s shard transaction.');
    const open = opened.get(ctx.tx);
    if (open) {
      open.set(sale.id, { sale, lines: 0, paid: 0 });
      return;
    }
    const created = new Map([[sale.id, { sale, lines: 0, paid: 0 }]]);
    opened.set(ctx.tx, created);
    await this.shards.beforeCommit(ctx, async () => {
      for (const open of created.values()) {
        checkSettled(open);
        await this.sales.update(ctx, open.sale.id, { subtotal: open.sale.subtotal, total: open.sale.total });
      }
    });
  }
}

/**
 * The `sale-lines` resource: each line takes its stock through the ledger in
 * the sale's transaction (first expiring first; a composition its components),
 * online never beyond the level, and records what the goods cost.
 */
@Injectable()
export class SaleLineService implements ResourceHandler<SaleLine> {
  constructor(
    private readonly lines: SaleLineRepository,
    private readonly products: ProductRepository,
    private readonly ledger: StockLedger,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<SaleLine>> {
    return this.lines.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<SaleLine[]> {
    return this.lines.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<SaleLineCreateDto>): Promise<SaleLine> {
    const open = openSale(ctx, relationships.sale as string);
    const { sale } = open;
    const product = await sellableProduct(ctx, this.products, relationships.product as string);
    const quantity = toMilli(a.quantity);
    checkWhole(product, quantity, '/data/attributes/quantity');
    const unitPrice = a.unitPrice ?? product.price;
    const amount = costOf(quantity, unitPrice);
    const discount = a.discount ?? 0;
    if (discount > amount) {
      throw new SalesError(SalesErrorCode.DiscountTooLarge, `The line's discount ${discount} is more than its amount ${amount} (quantity x unitPrice).`, { pointer: '/data/attributes/discount' });
    }
    const { cost } = await this.ledger.consume(ctx, sale.storeId, [{ productId: product.id, quantity: a.quantity, pointer: '/data/attributes/quantity' }], {
      kind: 'sale',
      offline: sale.offline,
      occurredAt: sale.soldAt,
      document: { type: 'sales', id: sale.id },
      employeeId: sale.employeeId,
    });
    const total = amount - discount;
    const line = await this.lines.insert(ctx, { id: id ?? uuid7(), saleId: sale.id, productId: product.id, quantity: fromMilli(quantity), unitPrice, discount, total, cost, createdAt: new Date() });
    // The open sale's own record: the request's answer shows it as it commits, and the commit writes it.
    sale.subtotal += total;
    sale.total = sale.subtotal - sale.discount;
    open.lines++;
    return line;
  }
}

/** The `payments` resource: the money taken for a sale, created with it. */
@Injectable()
export class PaymentService implements ResourceHandler<Payment> {
  constructor(private readonly payments: PaymentRepository) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Payment>> {
    return this.payments.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Payment[]> {
    return this.payments.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<PaymentCreateDto>): Promise<Payment> {
    const open = openSale(ctx, relationships.sale as string);
    const payment = await this.payments.insert(ctx, { id: id ?? uuid7(), saleId: open.sale.id, method: a.method, amount: a.amount, createdAt: new Date() });
    open.paid += payment.amount;
    return payment;
  }
}
