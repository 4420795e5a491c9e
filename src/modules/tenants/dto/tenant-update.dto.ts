import { IfPresent, IsTimeZone, IsText } from '../../../infra/validation/validators';

export class TenantUpdateDto {
  @IfPresent()
  @IsText(120)
  name?: string;

  @IfPresent()
  @IsTimeZone()
  timeZone?: string;
}
