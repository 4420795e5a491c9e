import { Module } from '@nestjs/common';
import { resourceController } from '../../infra/json-api/resource-controller';
import { InventoryModule } from '../inventory/inventory.module';
import { CourierRoster } from './courier-roster';
import { OrderLineRepository, OrderRepository } from './order.repository';
import { orderLineResource, orderResource } from './order.resource';
import { OrderLineService, OrderService } from './order.service';

/**
 * What a shop sells: for now pre-orders with delivery (`orders` and their
 * `order-lines`). Customers and sales at the till are not built yet.
 */
@Module({
  imports: [InventoryModule],
  controllers: [resourceController(orderResource, OrderService), resourceController(orderLineResource, OrderLineService)],
  providers: [OrderRepository, OrderLineRepository, CourierRoster, OrderService, OrderLineService],
})
export class SalesModule {}
