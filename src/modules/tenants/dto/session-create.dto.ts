import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, ValidateBy, ValidateIf } from 'class-validator';

const loggingIn = (o: SessionCreateDto) => o.refreshToken === undefined;

/**
 * Either credentials (`email` + `password`: log in) or a `refreshToken` (trade it
 * for a new pair). One document shape for both, so a client has one endpoint.
 */
export class SessionCreateDto {
  @ValidateIf(loggingIn)
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;

  @ValidateIf(loggingIn)
  @IsString()
  @Length(1, 200)
  password?: string;

  @ValidateIf((o: SessionCreateDto) => !loggingIn(o))
  @IsString()
  @Length(20, 300)
  @ValidateBy({
    name: 'aloneWithoutCredentials',
    validator: {
      validate: (_value, args) => {
        const o = args?.object as SessionCreateDto;
        return o.email === undefined && o.password === undefined;
      },
      defaultMessage: () => 'send either refreshToken or email and password, not both',
    },
  })
  refreshToken?: string;
}
