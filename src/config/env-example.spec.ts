import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EXPECTED_FORM } from './environment';

const ROOT = join(__dirname, '..', '..');

/**
 * Variables read straight from `process.env` (commands' own, such as
 * VAULT_ROTATOR_TOKEN and ORM_TARGET) rather than through the validated
 * `Environment`. Scanned: src/ (specs excluded) and ormconfig.ts, everything that
 * ships. Test-only variables live in test/ (BLOOMDESK_TEST_PROFILE,
 * BLOOMDESK_TEST_RUN) and bench/ (BENCH_ROUNDS, BENCH_SECONDS) and are not scanned:
 * no one configures them in a .env.
 */
function variablesReadDirectly(): Map<string, string> {
  const files = [join(ROOT, 'ormconfig.ts')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
    }
  };
  walk(join(ROOT, 'src'));
  const found = new Map<string, string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/process\.env(?:\.([A-Za-z_]\w*)|\[\s*['"`]([A-Za-z_]\w*)['"`]\s*\])/g)) {
      found.set(match[1] ?? match[2], relative(ROOT, file));
    }
  }
  return found;
}

describe('.env.example', () => {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
  const direct = variablesReadDirectly();

  it('finds the variables that commands read directly', () => {
    expect([...direct.keys()]).toEqual(expect.arrayContaining(['VAULT_ROTATOR_TOKEN', 'ORM_TARGET']));
  });

  it.each([...Object.keys(EXPECTED_FORM), ...direct.keys()])('lists %s with a comment above it', (variable) => {
    const at = lines.findIndex((l) => new RegExp(`^#?${variable}=`).test(l));
    expect([variable, at > 0]).toEqual([variable, true]);
    expect(lines.slice(Math.max(0, at - 6), at).some((l) => l.startsWith('# '))).toBe(true);
  });
});
