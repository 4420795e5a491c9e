import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

// The machine's own Node is 20; the project runs on 24 LTS through the `node`
// npm package, whose binary npm puts first on PATH for every script. These
// checks fail loudly if that ever stops: a script, or the test runner itself,
// falling back to the system's Node.

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };

describe('Node 24 for every npm script', () => {
  it('runs this suite on Node 24 (npm test and the test:* scripts start jest with node_modules/.bin/node)', () => {
    expect(process.versions.node).toMatch(/^24\./);
  });

  it('pins the node package and the engines field to 24', () => {
    expect(pkg.devDependencies.node).toMatch(/^24\./);
    expect(pkg.engines.node).toMatch(/^>=24\.\d+ <25$/);
  });

  it("gives a script Node 24 even from a shell whose node is the system's", () => {
    // A shell as a developer has it: no node_modules/.bin on PATH.
    const PATH = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(delimiter);
    const result = spawnSync('npm', ['exec', '--offline', '--', 'node', '-p', 'process.versions.node'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH }, timeout: 60_000 });

    expect({ status: result.status, version: result.stdout.trim() }).toEqual({ status: 0, version: expect.stringMatching(/^24\./) });
  }, 60_000);
});
