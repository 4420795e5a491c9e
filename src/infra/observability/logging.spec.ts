import { redactUrl } from './logging';

describe(redactUrl.name, () => {
  it('keeps paging and sorting but hides filter values that may hold PII', () => {
    const sut = redactUrl('/api/v1/customers?filter[phone]=%2B79161234567&page[size]=10&sort=-name&filter[email]=a@b.c');
    expect(sut).toBe('/api/v1/customers?filter[phone]=[redacted]&page[size]=10&sort=-name&filter[email]=[redacted]');
    expect(sut).not.toContain('7916');
  });

  it('leaves a URL without a query alone', () => {
    expect(redactUrl('/api/v1/stores/abc')).toBe('/api/v1/stores/abc');
  });
});
