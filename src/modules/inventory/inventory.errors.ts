import { DomainError } from '../../infra/errors/domain-error';

export enum InventoryErrorCode {
  InvalidProduct = 'invalid-product',
  SkuTaken = 'sku-taken',
  ProductInUse = 'product-in-use',
  ProductArchived = 'product-archived',
  NotAComposition = 'not-a-composition',
  RecipeCycle = 'recipe-cycle',
  /** Recipes would nest deeper than a sale expands (MAX_RECIPE_DEPTH). */
  RecipeTooDeep = 'recipe-too-deep',
  DuplicateComponent = 'duplicate-component',
  FractionalQuantity = 'fractional-quantity',
  /** An online sale or a document takes more than the store has. */
  InsufficientStock = 'insufficient-stock',
  /** Stock of a product that does not track stock (trackStock: false) cannot be received, moved or counted. */
  NotStockTracked = 'not-stock-tracked',
  SameStore = 'same-store',
  TransferNotInTransit = 'transfer-not-in-transit',
  /** Only someone who works in a transfer's receiving store may accept it. */
  ReceivingStoreOnly = 'receiving-store-only',
  /** Lines join their document only in the request that creates it. */
  DocumentClosed = 'document-closed',
  InvalidStockDocument = 'invalid-stock-document',
}

export class InventoryError extends DomainError<InventoryErrorCode> {}
