import { IsString, Length, MaxLength } from 'class-validator';

export class InviteAcceptanceCreateDto {
  /** The invite token the employee was given. */
  @IsString()
  @MaxLength(200)
  token: string;

  /** Their own password, from now on. */
  @IsString()
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password: string;
}
