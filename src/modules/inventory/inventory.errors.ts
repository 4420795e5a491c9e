import { DomainError } from '../../infra/errors/domain-error';

export enum InventoryErrorCode {
  InvalidProduct = 'invalid-product',
  SkuTaken = 'sku-taken',
  ProductInUse = 'product-in-use',
  ProductArchived = 'product-archived',
  NotAComposition = 'not-a-composition',
  RecipeCycle = 'recipe-cycle',
  DuplicateComponent = 'duplicate-component',
  FractionalQuantity = 'fractional-quantity',
}

export class InventoryError extends DomainError<InventoryErrorCode> {}
