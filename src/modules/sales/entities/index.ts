import { Order, OrderLine, OrderNumber } from './order';
import { Payment, Sale, SaleLine, SaleNumber } from './sale';

export * from './order';
export * from './sale';

export const SALES_SHARD_ENTITIES = [Order, OrderLine, OrderNumber, Sale, SaleLine, Payment, SaleNumber];
