import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PRODUCT_KINDS, PRODUCT_UNITS, type ProductKind, type ProductUnit } from '../entities';
import { IsText } from '../../../infra/validation/validators';

export const MAX_MINOR_UNITS = 2_000_000_000;

export class ProductCreateDto {
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/^[\w.\-/]+$/, { message: 'sku may hold letters, digits and . _ - / only' })
  sku?: string | null;

  @IsText(200)
  name: string;

  @IsIn(PRODUCT_KINDS)
  kind: ProductKind;

  @IsIn(PRODUCT_UNITS)
  unit: ProductUnit;

  /** Stems in a bunch; only for unit "bunch". */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1000)
  bunchSize?: number | null;

  @IsInt({ message: 'price must be an integer number of minor units (kopecks, cents)' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  price: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  shelfLifeDays?: number | null;

  @IsOptional()
  @IsBoolean()
  trackStock?: boolean;

  @IsOptional()
  @IsBoolean()
  archived?: boolean;
}
