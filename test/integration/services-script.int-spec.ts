import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

// scripts/services.sh runs before every `npm test` and twice in .ci/run, so it must
// be idempotent. The services are up by the time this suite runs (the global setup
// checked), so both runs here only find them: nothing to start, install or configure.
// test/static/docker.spec.ts checks the script's syntax; this runs it.

const ROOT = resolve(__dirname, '../..');
const SERVICES = ['mariadb', 'redis', 'openbao', 'chromium'];

function services(): string[] {
  const result = spawnSync('bash', [join(ROOT, 'scripts/services.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return result.stdout.trimEnd().split('\n');
}

describe('scripts/services.sh', () => {
  it('prints one line a service, and run again finds every service as it was and changes nothing', () => {
    const first = services();
    expect(first.map((line) => line.split(':')[0])).toEqual(SERVICES);
    expect(first).toEqual(first.map(() => expect.stringMatching(/^\w+: (up|present)\b/)));

    // Exactly these words: a "(started)", "(installed)" or "configured: <what>" would mean the second run did something.
    expect(services()).toEqual(['mariadb: up', 'redis: up', 'openbao: up (already configured)', 'chromium: present']);
  });
});
