import { Product } from './product';
import { ProductSupplier } from './product-supplier';
import { RecipeItem } from './recipe-item';
import { Supplier } from './supplier';

export * from './product';
export { ProductSupplier, RecipeItem, Supplier };

export const INVENTORY_SHARD_ENTITIES = [Product, RecipeItem, Supplier, ProductSupplier];
