import { DomainError } from '../../infra/errors/domain-error';

export enum SalesErrorCode {
  /** A status change the order's life does not allow (delivered -> new). */
  InvalidStatusTransition = 'invalid-status-transition',
  /** The courier named is not an active courier of the order's store. */
  InvalidCourier = 'invalid-courier',
  /** Only new or cancelled orders can be deleted. */
  OrderNotDeletable = 'order-not-deletable',
  /** Lines join their order only in the request that creates it. */
  OrderClosed = 'order-closed',
  /** A courier changes only the status of their own orders, and only to out-for-delivery or delivered. */
  CourierNotAllowed = 'courier-not-allowed',
  /** Lines and payments join their sale only in the request that creates it. */
  SaleClosed = 'sale-closed',
  /** A sale is of something: one with no lines is refused. */
  SaleWithoutLines = 'sale-without-lines',
  /** When a request commits, the payments of each sale it created add up to the sale's total. */
  PaymentsDoNotMatch = 'payments-do-not-match',
  /** A discount larger than what it is taken off (a line's amount, a sale's subtotal). */
  DiscountTooLarge = 'discount-too-large',
}

export class SalesError extends DomainError<SalesErrorCode> {}
