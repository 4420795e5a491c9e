import { IsString, MaxLength } from 'class-validator';
import { IsNewPassword } from '../../../infra/validation/validators';

export class InviteAcceptanceCreateDto {
  /** The invite token the employee was given. */
  @IsString()
  @MaxLength(200)
  token: string;

  /** Their own password, from now on. */
  @IsNewPassword()
  password: string;
}
