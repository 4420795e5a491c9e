import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IfPresent, IfPresentAndNotNull } from '../../../infra/validation/validators';

const PHONE = /^\+?[\d\s()-]{5,32}$/;
const PHONE_MESSAGE = 'contactPhone must be a phone number such as +7 916 123-45-67';

export class SupplierCreateDto {
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @IsOptional()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  contactPhone?: string | null;
}

export class SupplierUpdateDto {
  @IfPresent()
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @IfPresentAndNotNull()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  contactPhone?: string | null;
}
