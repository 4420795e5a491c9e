import { IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IfPresent, IfPresentAndNotNull, IsText } from '../../../infra/validation/validators';
import { PRODUCT_KINDS, PRODUCT_UNITS, type ProductKind, type ProductUnit } from '../entities';
import { MAX_MINOR_UNITS } from './product-create.dto';

export class ProductUpdateDto {
  @IfPresentAndNotNull()
  @IsString()
  @Length(1, 64)
  @Matches(/^[\w.\-/]+$/, { message: 'sku may hold letters, digits and . _ - / only' })
  sku?: string | null;

  @IfPresent()
  @IsText(200)
  name?: string;

  @IfPresent()
  @IsIn(PRODUCT_KINDS)
  kind?: ProductKind;

  @IfPresent()
  @IsIn(PRODUCT_UNITS)
  unit?: ProductUnit;

  @IfPresentAndNotNull()
  @IsInt()
  @Min(2)
  @Max(1000)
  bunchSize?: number | null;

  @IfPresent()
  @IsInt({ message: 'price must be an integer number of minor units (kopecks, cents)' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  price?: number;

  @IfPresentAndNotNull()
  @IsInt()
  @Min(0)
  @Max(365)
  shelfLifeDays?: number | null;

  @IfPresent()
  @IsBoolean()
  trackStock?: boolean;

  @IfPresent()
  @IsBoolean()
  archived?: boolean;
}
