import { Equals, IsBoolean, IsEmail, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { Transform } from 'class-transformer';
import { IfPresent, IfPresentAndNotNull, IsText } from '../../../infra/validation/validators';
import { ROLES, type Role } from '../../../infra/tenancy/request-context';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const PHONE = /^\+?[\d\s()-]{5,32}$/;

export class EmployeeCreateDto {
  @IsText(120)
  name: string;

  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;

  @IfPresentAndNotNull()
  @IsString()
  @Matches(PHONE, { message: 'phone must be a phone number such as +7 916 123-45-67' })
  phone?: string | null;

  @IsIn(ROLES)
  role: Role;
}

export class EmployeeUpdateDto {
  @IfPresent()
  @IsText(120)
  name?: string;

  @IfPresent()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;

  @IfPresentAndNotNull()
  @IsString()
  @Matches(PHONE, { message: 'phone must be a phone number such as +7 916 123-45-67' })
  phone?: string | null;

  @IfPresent()
  @IsIn(ROLES)
  role?: Role;

  /** false deactivates: the employee's sessions end at once. */
  @IfPresent()
  @IsBoolean()
  active?: boolean;

  /** true: the password stops working, sessions end, and a new invite comes back in `inviteToken`. */
  @IfPresent()
  @Equals(true, { message: 'resetPassword can only be true' })
  resetPassword?: true;
}
