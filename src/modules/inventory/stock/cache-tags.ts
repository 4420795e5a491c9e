/** The read-cache namespace of store stock: moved after every committed stock change in a store. */
export const STOCK_CACHE = 'stock';
/** The tenant-wide tag of the catalog (products, recipes, suppliers): documents that include products depend on it. */
export const CATALOG_CACHE = 'catalog';
