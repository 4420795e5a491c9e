import { IsString, Length } from 'class-validator';
import { IsNewPassword } from '../../../infra/validation/validators';

export class PasswordChangeCreateDto {
  /** The password the caller logs in with now: proof that the person, not just a token, asks. */
  @IsString()
  @Length(1, 200)
  currentPassword: string;

  /** The new password: the rules of signup and of accepting an invite. */
  @IsNewPassword()
  password: string;
}
