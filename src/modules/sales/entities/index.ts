import { Order, OrderLine, OrderNumber } from './order';

export * from './order';

export const SALES_SHARD_ENTITIES = [Order, OrderLine, OrderNumber];
