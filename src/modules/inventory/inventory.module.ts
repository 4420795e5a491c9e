import { Module } from '@nestjs/common';
import { resourceController } from '../../infra/json-api/resource-controller';
import { TenantsModule } from '../tenants';
import { goodsReceiptLineResource, goodsReceiptResource } from './goods-receipt.resource';
import { GoodsReceiptLineService, GoodsReceiptService } from './goods-receipt.service';
import { ProductUsageRepository } from './product-usage.repository';
import { ProductRepository } from './product.repository';
import { productResource } from './product.resource';
import { ProductService } from './product.service';
import { RecipeItemRepository } from './recipe-item.repository';
import { recipeItemResource } from './recipe-item.resource';
import { RecipeItemService } from './recipe-item.service';
import { stockBatchResource } from './stock-batch.resource';
import { StockBatchRepository } from './stock-batch.repository';
import { StockBatchService } from './stock-batch.service';
import { StockCheck } from './stock-check.service';
import { stockCountLineResource, stockCountResource } from './stock-count.resource';
import { StockCountLineService, StockCountService } from './stock-count.service';
import {
  GoodsReceiptLineRepository,
  GoodsReceiptRepository,
  StockCountLineRepository,
  StockCountRepository,
  TransferLineRepository,
  TransferRepository,
  WriteOffLineRepository,
  WriteOffRepository,
} from './stock-document.repository';
import { StockLedger } from './stock-ledger.service';
import { stockLevelResource } from './stock-level.resource';
import { StockLevelRepository } from './stock-level.repository';
import { StockLevelService } from './stock-level.service';
import { stockMovementResource } from './stock-movement.resource';
import { StockMovementRepository } from './stock-movement.repository';
import { StockMovementService } from './stock-movement.service';
import { StockDemand } from './stock/stock-demand';
import { SupplierRepository } from './supplier.repository';
import { supplierResource } from './supplier.resource';
import { SupplierService } from './supplier.service';
import { transferLineResource, transferResource } from './transfer.resource';
import { TransferLineService, TransferService } from './transfer.service';
import { writeOffLineResource, writeOffResource } from './write-off.resource';
import { WriteOffLineService, WriteOffService } from './write-off.service';

/**
 * The florist's warehouse: products and recipes, suppliers; stock by store in
 * perishable batches, the movement ledger and the documents that write it.
 * Other modules change stock through `StockLedger` (sales consume, returns restock).
 */
@Module({
  imports: [TenantsModule],
  controllers: [
    resourceController(productResource, ProductService),
    resourceController(recipeItemResource, RecipeItemService),
    resourceController(supplierResource, SupplierService),
    resourceController(stockLevelResource, StockLevelService),
    resourceController(stockBatchResource, StockBatchService),
    resourceController(stockMovementResource, StockMovementService),
    resourceController(goodsReceiptResource, GoodsReceiptService),
    resourceController(goodsReceiptLineResource, GoodsReceiptLineService),
    resourceController(writeOffResource, WriteOffService),
    resourceController(writeOffLineResource, WriteOffLineService),
    resourceController(transferResource, TransferService),
    resourceController(transferLineResource, TransferLineService),
    resourceController(stockCountResource, StockCountService),
    resourceController(stockCountLineResource, StockCountLineService),
  ],
  providers: [
    ProductRepository,
    ProductUsageRepository,
    RecipeItemRepository,
    SupplierRepository,
    ProductService,
    RecipeItemService,
    SupplierService,
    StockLevelRepository,
    StockBatchRepository,
    StockMovementRepository,
    GoodsReceiptRepository,
    GoodsReceiptLineRepository,
    WriteOffRepository,
    WriteOffLineRepository,
    TransferRepository,
    TransferLineRepository,
    StockCountRepository,
    StockCountLineRepository,
    StockDemand,
    StockLedger,
    StockCheck,
    StockLevelService,
    StockBatchService,
    StockMovementService,
    GoodsReceiptService,
    GoodsReceiptLineService,
    WriteOffService,
    WriteOffLineService,
    TransferService,
    TransferLineService,
    StockCountService,
    StockCountLineService,
  ],
  exports: [ProductService, ProductRepository, StockLedger, StockCheck],
})
export class InventoryModule {}
