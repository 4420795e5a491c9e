import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsCurrencyCode, IsTimeZone } from '../../../infra/validation/validators';

export class SignupCreateDto {
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'tenantName must not be blank' })
  tenantName: string;

  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'ownerName must not be blank' })
  ownerName: string;

  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;

  @IsString()
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password: string;

  @IsCurrencyCode()
  currency: string;

  @IsTimeZone()
  timeZone: string;
}
