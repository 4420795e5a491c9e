import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';
import { RecipeItemCreateDto, RecipeItemUpdateDto } from './dto/recipe-item.dto';

export const recipeItemResource = defineResource({
  type: 'recipe-items',
  description: 'One component of a composition: how much of a product goes into it.',
  attributes: {
    quantity: { type: 'decimal', description: 'In the component’s unit; whole for stems and pieces.' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    updatedAt: { type: 'datetime', readOnly: true },
  },
  relationships: {
    composition: { type: 'products', kind: 'to-one', foreignKey: 'compositionId', writable: true, includable: true, filterable: true, required: true },
    component: { type: 'products', kind: 'to-one', foreignKey: 'componentId', writable: true, includable: true, filterable: true, required: true },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 50, maxSize: 200 },
  permissions: { read: Permission.CatalogRead, create: Permission.CatalogWrite, update: Permission.CatalogWrite, delete: Permission.CatalogWrite },
  createDto: RecipeItemCreateDto,
  updateDto: RecipeItemUpdateDto,
});
