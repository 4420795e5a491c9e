import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { IfPresent, IfPresentAndNotNull, IsTimeZone } from '../../../infra/validation/validators';

export class StoreUpdateDto {
  @IfPresent()
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @IfPresentAndNotNull()
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @IfPresent()
  @IsTimeZone()
  timeZone?: string;
}
