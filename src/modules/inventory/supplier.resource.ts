import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { SupplierCreateDto, SupplierUpdateDto } from './dto/supplier.dto';

export const supplierResource = defineResource({
  type: 'suppliers',
  description: 'Who the flowers come from.',
  attributes: {
    name: { type: 'string', filter: true, sortable: true },
    contactPhone: { type: 'string', nullable: true, sensitive: true, property: 'contactPhoneCiphertext', description: 'Stored only encrypted.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    products: { type: 'products', kind: 'to-many', includable: true, description: 'What this supplier delivers (set from the product side).' },
  },
  defaultSort: ['name'],
  page: { defaultSize: 50, maxSize: 200 },
  permissions: { read: Permission.SuppliersRead, create: Permission.SuppliersWrite, update: Permission.SuppliersWrite, delete: Permission.SuppliersWrite },
  export: { permission: Permission.ReportsRead },
  createDto: SupplierCreateDto,
  updateDto: SupplierUpdateDto,
});
