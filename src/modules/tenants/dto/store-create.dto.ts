import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTimeZone, IsText } from '../../../infra/validation/validators';

export class StoreCreateDto {
  @IsText(120)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string | null;

  /** Defaults to the tenant's time zone. */
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;
}
