import { IsIn, IsString, Length } from 'class-validator';
import { IfPresent, IsText } from '../../../infra/validation/validators';
import { INTEGRATION_KINDS, type IntegrationKind } from '../entities';

/** Long enough for a PEM certificate and key; an API key is far shorter. */
export const MAX_INTEGRATION_VALUE_LENGTH = 8192;
const VALUE_MESSAGE = `value must be 1 to ${MAX_INTEGRATION_VALUE_LENGTH} characters long`;
const KIND_MESSAGE = `kind must be one of ${INTEGRATION_KINDS.join(', ')}`;

export class IntegrationSecretCreateDto {
  @IsText(120)
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
  @IsText(120)
  name?: string;

  @IfPresent()
  @IsIn(INTEGRATION_KINDS, { message: KIND_MESSAGE })
  kind?: IntegrationKind;

  @IfPresent()
  @IsString()
  @Length(1, MAX_INTEGRATION_VALUE_LENGTH, { message: VALUE_MESSAGE })
  value?: string;
}
