import { Module } from '@nestjs/common';
import { resourceController } from '../../infra/json-api/resource-controller';
import { ProductRepository } from './product.repository';
import { productResource } from './product.resource';
import { ProductService } from './product.service';
import { RecipeItemRepository } from './recipe-item.repository';
import { recipeItemResource } from './recipe-item.resource';
import { RecipeItemService } from './recipe-item.service';
import { SupplierRepository } from './supplier.repository';
import { supplierResource } from './supplier.resource';
import { SupplierService } from './supplier.service';

/** The florist's warehouse: products and recipes, suppliers. */
@Module({
  controllers: [
    resourceController(productResource, ProductService),
    resourceController(recipeItemResource, RecipeItemService),
    resourceController(supplierResource, SupplierService),
  ],
  providers: [ProductRepository, RecipeItemRepository, SupplierRepository, ProductService, RecipeItemService, SupplierService],
  exports: [ProductService],
})
export class InventoryModule {}
