import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from './decimal.transformer';

/** One component of a composition (shard): so many of a product go into it. */
@Entity('recipe_items')
export class RecipeItem {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'composition_id', type: 'varchar', length: 36 })
  compositionId: string;

  @Column({ name: 'component_id', type: 'varchar', length: 36 })
  componentId: string;

  /** In the component's unit; whole for stems and pieces. */
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantity: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
