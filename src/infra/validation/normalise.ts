import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** The form an e-mail is compared and indexed in: trimmed, Unicode-normalised, lower-cased. */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFKC').toLowerCase();

/**
 * A phone number in E.164 (`+79161234567`), or null when it is not a valid number.
 * National numbers ("8 916 123-45-67") are read in the shop's country, taken from
 * its currency (RUB -> RU, KZT -> KZ, ...); a currency shared by many countries
 * (EUR) gives none, and then only international numbers parse.
 */
export function normalisePhone(phone: string, currency?: string): string | null {
  const parsed = parsePhoneNumberFromString(phone, currencyCountry(currency));
  return parsed?.isValid() ? parsed.number : null;
}

/** ISO 4217 codes start with the ISO 3166 country code of the issuing country (EUR, XAF and the like do not). */
export function currencyCountry(currency?: string): CountryCode | undefined {
  if (!currency || /^(EUR|X..)$/.test(currency)) return undefined;
  return currency.slice(0, 2) as CountryCode;
}
