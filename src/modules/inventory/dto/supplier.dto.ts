import { IsOptional, IsString, Matches } from 'class-validator';
import { IfPresent, IfPresentAndNotNull, IsText } from '../../../infra/validation/validators';

const PHONE = /^\+?[\d\s()-]{5,32}$/;
const PHONE_MESSAGE = 'contactPhone must be a phone number such as +7 916 123-45-67';

export class SupplierCreateDto {
  @IsText(200)
  name: string;

  @IsOptional()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  contactPhone?: string | null;
}

export class SupplierUpdateDto {
  @IfPresent()
  @IsText(200)
  name?: string;

  @IfPresentAndNotNull()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  contactPhone?: string | null;
}
