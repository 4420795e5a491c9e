import { IsString, MaxLength } from 'class-validator';
import { IfPresent, IfPresentAndNotNull, IsTimeZone, IsText } from '../../../infra/validation/validators';

export class StoreUpdateDto {
  @IfPresent()
  @IsText(120)
  name?: string;

  @IfPresentAndNotNull()
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @IfPresent()
  @IsTimeZone()
  timeZone?: string;
}
