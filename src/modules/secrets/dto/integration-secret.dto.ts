import { IsIn, IsString, Length, Matches } from 'class-validator';
import { IfPresent } from '../../../infra/validation/validators';
import { INTEGRATION_KINDS, type IntegrationKind } from '../entities';

/** Long enough for a PEM certificate and key; an API key is far shorter. */
export const MAX_INTEGRATION_VALUE_LENGTH = 8192;
const VALUE_MESSAGE = `value must be 1 to ${MAX_INTEGRATION_VALUE_LENGTH} characters long`;
const KIND_MESSAGE = `kind must be one of ${INTEGRATION_KINDS.join(', ')}`;

export class IntegrationSecretCreateDto {
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @IsIn(INTEGRATION_KINDS, { message: KIND_MESSAGE })
  kind: IntegrationKind;

  @IsString()
  @Length(1, MAX_INTEGRATION_VALUE_LENGTH, { message: VALUE_MESSAGE })
  value: string;
}

/** Any of the three; a new value makes a new version. */
export class IntegrationSecretUpdateDto {
  @IfPresent()
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @IfPresent()
  @IsIn(INTEGRATION_KINDS, { message: KIND_MESSAGE })
  kind?: IntegrationKind;

  @IfPresent()
  @IsString()
  @Length(1, MAX_INTEGRATION_VALUE_LENGTH, { message: VALUE_MESSAGE })
  value?: string;
}
