import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { IsCurrencyCode, IsNewPassword, IsTimeZone, IsText } from '../../../infra/validation/validators';

export class SignupCreateDto {
  @IsText(120)
  tenantName: string;

  @IsText(120)
  ownerName: string;

  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;

  @IsNewPassword()
  password: string;

  @IsCurrencyCode()
  currency: string;

  @IsTimeZone()
  timeZone: string;
}
