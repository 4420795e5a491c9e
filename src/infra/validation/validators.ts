import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An IANA time zone name the runtime knows, e.g. Europe/Moscow. */
export const IsTimeZone = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && TIME_ZONES.has(value),
        defaultMessage: () => '$property must be an IANA time zone such as Europe/Moscow',
      },
    },
    options,
  );

/** An ISO 4217 currency code, upper case, e.g. RUB. */
export const IsCurrencyCode = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && CURRENCIES.has(value),
        defaultMessage: () => '$property must be an ISO 4217 currency code such as RUB',
      },
    },
    options,
  );

/**
 * For PATCH documents: validate the property only when it is present. Unlike
 * `@IsOptional()`, an explicit null is still validated (and refused by the
 * other rules unless the attribute is nullable).
 */
export const IfPresent = () => ValidateIf((_object, value) => value !== undefined);

/** Present and not null: validate; null clears a nullable attribute. */
export const IfPresentAndNotNull = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** A name people type: a string of 1 to `max` characters that is not only spaces. */
export const IsText = (max: number) =>
  applyDecorators(IsString(), Length(1, max), Matches(/\S/, { message: '$property must not be blank' }));

/**
 * A password someone chooses (signup, accepting an invite, changing one's own):
 * 10 to 200 characters. One rule everywhere, so no path accepts a weaker one.
 */
export const IsNewPassword = () => applyDecorators(IsString(), Length(10, 200, { message: '$property must be 10 to 200 characters long' }));
