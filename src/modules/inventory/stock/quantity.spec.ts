import { costOf, fromMilli, isWhole, multiply, toMilli } from './quantity';

describe('stock quantities', () => {
  it.each([
    ['10', 10_000],
    ['2.5', 2_500],
    ['2.500', 2_500],
    ['0.001', 1],
    ['-3', -3_000],
    ['-0.25', -250],
    ['0.0004999', 0],
    ['0.0005', 1],
    ['-0', 0],
  ])('reads %p as %p thousandths', async (text, milli) => {
    await expect(Promise.resolve(toMilli(text))).resolves.toBe(milli);
  });

  it.each([
    [10_000, '10'],
    [2_500, '2.5'],
    [1, '0.001'],
    [-3_000, '-3'],
    [-250, '-0.25'],
    [0, '0'],
  ])('writes %p thousandths as %p', (milli, text) => {
    expect(fromMilli(milli)).toBe(text);
  });

  it('refuses what is not a decimal', () => {
    expect(() => toMilli('1e3')).toThrow('not a decimal');
    expect(() => toMilli('abc')).toThrow('not a decimal');
    expect(() => fromMilli(0.5)).toThrow('not a quantity');
  });

  it('knows whole units', () => {
    expect(isWhole(3_000)).toBe(true);
    expect(isWhole(2_500)).toBe(false);
  });

  it('multiplies exactly, rounding to a thousandth', () => {
    expect(multiply(2_000, 3_000)).toBe(6_000);
    expect(multiply(500, 500)).toBe(250);
    expect(multiply(333, 500)).toBe(167);
    expect(multiply(-333, 500)).toBe(-167);
    expect(multiply(999_999_999_000, 2_000)).toBe(1_999_999_998_000);
  });

  it('prices quantities in whole minor units, half up, whatever the sign', () => {
    expect(costOf(3_000, 4_500)).toBe(13_500);
    expect(costOf(-3_000, 4_500)).toBe(13_500);
    expect(costOf(500, 333)).toBe(167);
    expect(costOf(0, 999)).toBe(0);
  });
});
