import { Injectable } from '@nestjs/common';
import { CacheVersions } from '../../infra/cache/cache-versions';
import { isDuplicateKey } from '../../infra/database/database.errors';
import { uuid7 } from '../../infra/database/uuid7';
import type { Page } from '../../infra/json-api/pagination';
import type { Linkage, ResourceHandler, ResourceInput } from '../../infra/json-api/resource-handler';
import type { ResourceQuery } from '../../infra/json-api/resource-query';
import type { RequestContext } from '../../infra/tenancy/request-context';
import type { ProductCreateDto } from './dto/product-create.dto';
import type { ProductUpdateDto } from './dto/product-update.dto';
import type { Product } from './entities';
import { InventoryError, InventoryErrorCode } from './inventory.errors';
import { type ProductUse, ProductUsageRepository } from './product-usage.repository';
import { ProductRepository } from './product.repository';
import { CATALOG_CACHE } from './stock/cache-tags';

const invalid = (attribute: string, detail: string) =>
  new InventoryError(InventoryErrorCode.InvalidProduct, detail, { pointer: `/data/attributes/${attribute}` });

/** Services and compositions are not counted in stock by default: a composition's components are. */
const countedByDefault = (kind: Product['kind']) => kind !== 'service' && kind !== 'composition';

/** The rules that span attributes, checked on the product as it will be after the write. */
function checkConsistency(product: Pick<Product, 'unit' | 'bunchSize' | 'kind' | 'trackStock'>): void {
  if (product.unit === 'bunch' && product.bunchSize === null) throw invalid('bunchSize', 'A product sold by the bunch needs bunchSize.');
  if (product.unit !== 'bunch' && product.bunchSize !== null) throw invalid('bunchSize', 'bunchSize applies to products sold by the bunch only.');
  if (product.kind === 'service' && product.trackStock) throw invalid('trackStock', 'A service has no stock to track.');
}

/** What a product's stock and recipe quantities are counted in: they change only while it has neither. */
const COUNTED_IN = ['unit', 'bunchSize', 'kind'] as const;

/** How each use of a product is told: of the product, and as the reason it stays. */
const USES: Record<ProductUse, { of: string; why: string }> = {
  stock: { of: 'has stock history', why: 'This product has stock history' },
  sales: { of: 'has been sold', why: 'This product has been sold' },
  orders: { of: 'is on an order', why: 'An order has this product' },
  recipes: { of: 'is in a recipe or has one', why: 'A recipe uses this product' },
};

const inUse = (product: Product, use: ProductUse, attribute: string) =>
  new InventoryError(
    InventoryErrorCode.ProductInUse,
    `${product.name} ${USES[use].of}, counted by what it is now: its ${attribute} cannot change. Archive it (archived: true) and create a new product instead.`,
    { pointer: `/data/attributes/${attribute}` },
  );

/** The `products` resource: the catalog of what a shop sells. */
@Injectable()
export class ProductService implements ResourceHandler<Product> {
  constructor(
    private readonly products: ProductRepository,
    private readonly usage: ProductUsageRepository,
    private readonly versions: CacheVersions,
  ) {}

  findPage(ctx: RequestContext, query: ResourceQuery): Promise<Page<Product>> {
    return this.products.findPage(ctx, query);
  }

  findByIds(ctx: RequestContext, ids: readonly string[]): Promise<Product[]> {
    return this.products.findByIds(ctx, ids);
  }

  async create(ctx: RequestContext, { id, attributes: a, relationships }: ResourceInput<ProductCreateDto>): Promise<Product> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    const now = new Date();
    const product = {
      id: id ?? uuid7(),
      sku: a.sku ?? null,
      name: a.name.trim(),
      kind: a.kind,
      unit: a.unit,
      bunchSize: a.bunchSize ?? null,
      price: a.price,
      shelfLifeDays: a.shelfLifeDays ?? null,
      trackStock: a.trackStock ?? countedByDefault(a.kind),
      archived: a.archived ?? false,
      createdAt: now,
      updatedAt: now,
    };
    checkConsistency(product);
    const created = await this.withUniqueSku(a.sku, () => this.products.insert(ctx, product));
    if (relationships.suppliers) await this.products.addSuppliers(ctx, created.id, relationships.suppliers as string[]);
    return created;
  }

  async update(ctx: RequestContext, id: string, { attributes: a, relationships }: ResourceInput<ProductUpdateDto>): Promise<Product> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    const [current] = await this.products.findByIds(ctx, [id]);
    const changes = Object.fromEntries(Object.entries({ ...a, name: a.name?.trim() }).filter(([, v]) => v !== undefined)) as Partial<Product>;
    checkConsistency({ ...current, ...changes });
    await this.checkMeaningKept(ctx, current, changes);
    await this.withUniqueSku(a.sku, () => this.products.update(ctx, id, { ...changes, updatedAt: new Date() }));
    if (relationships.suppliers) await this.setRelationship(ctx, id, 'suppliers', relationships.suppliers);
    return (await this.products.findByIds(ctx, [id]))[0];
  }

  /** A product with stock history, or that a recipe uses, stays for history: archive it instead. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    await this.products.lockForChange(ctx, id);
    const use = await this.usage.of(ctx, id);
    if (use) {
      throw new InventoryError(InventoryErrorCode.ProductInUse, `${USES[use].why}; archive it (archived: true) instead of deleting it.`);
    }
    await this.products.delete(ctx, id);
  }

  linkage(ctx: RequestContext, relationship: string, records: readonly Product[]): Promise<Map<string, Linkage>> {
    const ids = records.map((r) => r.id);
    return relationship === 'components' ? this.products.components(ctx, ids) : this.products.suppliers(ctx, ids);
  }

  async setRelationship(ctx: RequestContext, id: string, _relationship: string, linkage: Linkage): Promise<void> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    await this.products.removeSuppliers(ctx, id);
    await this.products.addSuppliers(ctx, id, linkage as string[]);
    await this.products.update(ctx, id, { updatedAt: new Date() });
  }

  async addToRelationship(ctx: RequestContext, id: string, _relationship: string, ids: string[]): Promise<void> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    await this.products.addSuppliers(ctx, id, ids);
    await this.products.update(ctx, id, { updatedAt: new Date() });
  }

  async removeFromRelationship(ctx: RequestContext, id: string, _relationship: string, ids: string[]): Promise<void> {
    await this.versions.touchTenant(ctx, CATALOG_CACHE);
    await this.products.removeSuppliers(ctx, id, ids);
    await this.products.update(ctx, id, { updatedAt: new Date() });
  }

  /**
   * Stock and recipe quantities are counted in the product's unit (stems in a
   * bunch of bunchSize; a composition's recipe is what it is made of): those
   * change only while the product has no stock history and is in no recipe.
   * Whether it tracks stock changes only while it has no stock history, and for
   * a composition while it has no recipe (its sales would stop, or start, taking
   * the components); a component may start or stop being counted.
   */
  private async checkMeaningKept(ctx: RequestContext, current: Product, changes: Partial<Product>): Promise<void> {
    const changed = (attribute: keyof Product) => changes[attribute] !== undefined && changes[attribute] !== current[attribute];
    const countedIn = COUNTED_IN.filter(changed);
    const tracking = changed('trackStock');
    if (!countedIn.length && !tracking) return;
    await this.products.lockForChange(ctx, current.id);
    const use = await this.usage.of(ctx, current.id);
    if (!use) return;
    if (countedIn.length) throw inUse(current, use, countedIn[0]);
    if (use === 'stock' || (await this.usage.hasComponents(ctx, current.id))) throw inUse(current, use, 'trackStock');
  }

  private async withUniqueSku<T>(sku: string | null | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (sku && isDuplicateKey(error)) {
        throw new InventoryError(InventoryErrorCode.SkuTaken, `Another product has sku ${sku}.`, { pointer: '/data/attributes/sku' });
      }
      throw error;
    }
  }
}
