import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { permissionTable } from '../../src/infra/auth/permission-table';

// What the README states about the repository, checked against the repository: the
// permission matrix, the two opening commands, the npm scripts and the dependencies.

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readme = read('README.md');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** The command lines of a shell text: comments and blank lines left out. */
const commands = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);

/** The README's text from a `## heading` to the next one. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

const opening = commands(readme.match(/^```sh\n([\s\S]*?)^```/m)![1]);

describe('the README', () => {
  it('prints the permission matrix the guard enforces (regenerate with permissionTable())', () => {
    expect(readme).toContain(permissionTable());
  });

  it('opens with the install-and-start command and the test command, nothing else', () => {
    expect(opening).toEqual(['npm ci && npm start', 'npm test']);
  });

  it("has CI end with the README's test command", () => {
    expect(commands(read('.ci/run')).at(-1)).toBe(opening[1]);
  });

  it('lists every npm script in its scripts table, and no script that is gone', () => {
    const listed = [...section('npm scripts').matchAll(/^\| `npm (?:run )?([^\s`]+)/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(pkg.scripts).sort());
  });

  it('names every direct dependency in its dependencies section', () => {
    const named = new Set([...section('Dependencies, and why').matchAll(/`([^`\s]+)`/g)].map((m) => m[1]));
    const unnamed = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].filter((name) => !named.has(name));
    expect(unnamed).toEqual([]);
  });
});
