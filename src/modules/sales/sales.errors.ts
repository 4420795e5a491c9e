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
}

export class SalesError extends DomainError<SalesErrorCode> {}
