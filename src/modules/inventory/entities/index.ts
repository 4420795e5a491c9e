import { GoodsReceipt, GoodsReceiptLine } from './goods-receipt';
import { Product } from './product';
import { ProductSupplier } from './product-supplier';
import { RecipeItem } from './recipe-item';
import { StockBatch } from './stock-batch';
import { StockCount, StockCountLine } from './stock-count';
import { StockLevel } from './stock-level';
import { StockMovement } from './stock-movement';
import { Supplier } from './supplier';
import { Transfer, TransferLine } from './transfer';
import { WriteOff, WriteOffLine } from './write-off';

export * from './goods-receipt';
export * from './product';
export * from './stock-batch';
export * from './stock-count';
export * from './stock-document-line';
export * from './stock-level';
export * from './stock-movement';
export * from './transfer';
export * from './write-off';
export { ProductSupplier, RecipeItem, Supplier };

export const INVENTORY_SHARD_ENTITIES = [
  Product,
  RecipeItem,
  Supplier,
  ProductSupplier,
  StockLevel,
  StockBatch,
  StockMovement,
  GoodsReceipt,
  GoodsReceiptLine,
  WriteOff,
  WriteOffLine,
  Transfer,
  TransferLine,
  StockCount,
  StockCountLine,
];
