import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { ProductCreateDto } from './dto/product-create.dto';
import { ProductUpdateDto } from './dto/product-update.dto';
import { PRODUCT_KINDS, PRODUCT_UNITS } from './entities';

export const productResource = defineResource({
  type: 'products',
  description: 'What a shop sells: stems, greenery, accessories, services and compositions (bouquets made from other products).',
  attributes: {
    sku: { type: 'string', nullable: true, filter: true, sortable: true },
    name: { type: 'string', filter: true, sortable: true },
    kind: { type: 'enum', enum: PRODUCT_KINDS, filter: true, sortable: true },
    unit: { type: 'enum', enum: PRODUCT_UNITS },
    bunchSize: { type: 'integer', nullable: true, description: 'Stems in a bunch (unit "bunch" only).' },
    price: { type: 'integer', sortable: true, filter: { operators: ['eq', 'gte', 'lte'] }, description: 'Selling price in minor units of the shop currency.' },
    shelfLifeDays: { type: 'integer', nullable: true, description: 'Days a received batch stays sellable; sets its expiry.' },
    trackStock: { type: 'boolean', filter: true, description: 'Whether stock of this product is counted (defaults to true for goods).' },
    archived: { type: 'boolean', filter: true, description: 'Hidden from new sales and receipts; kept for history.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    components: { type: 'recipe-items', kind: 'to-many', includable: true, description: 'What a composition is made of.' },
    suppliers: { type: 'suppliers', kind: 'to-many', includable: true, writable: true, description: 'Who the product is bought from.' },
  },
  defaultSort: ['name'],
  page: { defaultSize: 50, maxSize: 200 },
  feed: true,
  permissions: { read: Permission.CatalogRead, create: Permission.CatalogWrite, update: Permission.CatalogWrite, delete: Permission.CatalogWrite },
  export: { permission: Permission.ReportsRead },
  createDto: ProductCreateDto,
  updateDto: ProductUpdateDto,
});
