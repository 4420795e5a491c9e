import { IsString, Length, Matches } from 'class-validator';
import { IfPresent, IsTimeZone } from '../../../infra/validation/validators';

export class TenantUpdateDto {
  @IfPresent()
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @IfPresent()
  @IsTimeZone()
  timeZone?: string;
}
