import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPECTED_FORM } from './environment';

describe('.env.example', () => {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');

  it.each(Object.keys(EXPECTED_FORM))('lists %s with a comment above it', (variable) => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => new RegExp(`^#?${variable}=`).test(l));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(Math.max(0, at - 6), at).some((l) => l.startsWith('# '))).toBe(true);
  });
});
