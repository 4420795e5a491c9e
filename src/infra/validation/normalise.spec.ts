import { currencyCountry, normaliseEmail, normalisePhone } from './normalise';

describe(normalisePhone.name, () => {
  it.each([
    ['+7 916 123-45-67', 'RUB', '+79161234567'],
    ['8 (916) 123-45-67', 'RUB', '+79161234567'],
    ['+79161234567', 'EUR', '+79161234567'],
    ['(415) 555-2671', 'USD', '+14155552671'],
  ])('reads %p in a shop paying %s as %s', (input, currency, expected) => {
    expect(normalisePhone(input, currency)).toBe(expected);
  });

  it.each([['12'], ['not a phone'], ['8 916 123-45-67']])('refuses %p without a country it can be read in', (input) => {
    expect(normalisePhone(input, 'EUR')).toBeNull();
  });
});

describe(normaliseEmail.name, () => {
  it('lower-cases and trims', () => {
    expect(normaliseEmail('  Anna@Example.COM ')).toBe('anna@example.com');
  });
});

describe(currencyCountry.name, () => {
  it('maps national currencies and leaves shared ones alone', () => {
    expect(currencyCountry('RUB')).toBe('RU');
    expect(currencyCountry('EUR')).toBeUndefined();
    expect(currencyCountry('XOF')).toBeUndefined();
  });
});
