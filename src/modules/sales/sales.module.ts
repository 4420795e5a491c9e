import { Module } from '@nestjs/common';
import { resourceController } from '../../infra/json-api/resource-controller';
import { InventoryModule } from '../inventory/inventory.module';
import { TenantsModule } from '../tenants';
import { CourierRoster } from './courier-roster';
import { OrderLineRepository, OrderRepository } from './order.repository';
import { orderLineResource, orderResource } from './order.resource';
import { OrderLineService, OrderService } from './order.service';
import { PaymentRepository, SaleLineRepository, SaleRepository } from './sale.repository';
import { paymentResource, saleLineResource, saleResource } from './sale.resource';
import { PaymentService, SaleLineService, SaleService } from './sale.service';

/**
 * What a shop sells: sales at the till (`sales` with their `sale-lines` and
 * `payments`) and pre-orders with delivery (`orders` and their `order-lines`).
 * Customers and returns are not built yet.
 */
@Module({
  imports: [InventoryModule, TenantsModule],
  controllers: [
    resourceController(orderResource, OrderService),
    resourceController(orderLineResource, OrderLineService),
    resourceController(saleResource, SaleService),
    resourceController(saleLineResource, SaleLineService),
    resourceController(paymentResource, PaymentService),
  ],
  providers: [
    OrderRepository,
    OrderLineRepository,
    CourierRoster,
    OrderService,
    OrderLineService,
    SaleRepository,
    SaleLineRepository,
    PaymentRepository,
    SaleService,
    SaleLineService,
    PaymentService,
  ],
})
export class SalesModule {}
