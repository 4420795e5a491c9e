import type { OrderStatus } from './entities';
import { SalesError, SalesErrorCode } from './sales.errors';

/**
 * Where an order may go from each status. An order goes forward one step at a
 * time; it can be cancelled until it is on its way; a delivery that failed
 * comes back to the shop (out-for-delivery -> assembled). Delivered and
 * cancelled are final.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  new: ['confirmed', 'cancelled'],
  confirmed: ['assembled', 'cancelled'],
  assembled: ['out-for-delivery', 'cancelled'],
  'out-for-delivery': ['delivered', 'assembled'],
  delivered: [],
  cancelled: [],
};

/** What a courier may set: taking an order out and handing it over. */
export const COURIER_STATUSES: readonly OrderStatus[] = ['out-for-delivery', 'delivered'];

/** Statuses a new order may start in. */
export const INITIAL_STATUSES: readonly OrderStatus[] = ['new', 'confirmed'];

/** Statuses in which an order may be deleted: nothing was made or sent yet, or it was called off. */
export const DELETABLE_STATUSES: readonly OrderStatus[] = ['new', 'cancelled'];

/** 422 pointing at the status unless `from -> to` is allowed (staying put is not a change). */
export function checkTransition(from: OrderStatus, to: OrderStatus): void {
  if (from === to || ORDER_TRANSITIONS[from].includes(to)) return;
  const next = ORDER_TRANSITIONS[from];
  throw new SalesError(
    SalesErrorCode.InvalidStatusTransition,
    `An order that is ${from} cannot become ${to}${next.length ? `; it can become ${next.join(' or ')}` : `: ${from} is final`}.`,
    { pointer: '/data/attributes/status' },
  );
}
