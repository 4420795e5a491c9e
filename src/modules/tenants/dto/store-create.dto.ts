import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsTimeZone } from '../../../infra/validation/validators';

export class StoreCreateDto {
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
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
