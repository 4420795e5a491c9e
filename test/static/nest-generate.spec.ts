import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

// `nest g module|service|controller` must keep working in this tree (the layout,
// nest-cli.json and app.module.ts are what the schematics read). --dry-run shows
// what each would write without writing it.

const ROOT = resolve(__dirname, '../..');
const NODE_24 = join(ROOT, 'node_modules/.bin/node');

function generate(schematic: string, name: string) {
  const result = spawnSync(NODE_24, [join(ROOT, 'node_modules/.bin/nest'), 'generate', schematic, name, '--dry-run'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 60_000,
  });
  // eslint-disable-next-line no-control-regex
  const output = `${result.stdout}${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  return { status: result.status, actions: [...output.matchAll(/^(CREATE|UPDATE) (\S+)/gm)].map(([, action, path]) => `${action} ${path}`) };
}

describe('nest generate (dry run)', () => {
  it.each([
    ['module', ['CREATE src/modules/bouquets/bouquets.module.ts', 'UPDATE src/app.module.ts']],
    ['service', ['CREATE src/modules/bouquets/bouquets.service.spec.ts', 'CREATE src/modules/bouquets/bouquets.service.ts', 'UPDATE src/app.module.ts']],
    ['controller', ['CREATE src/modules/bouquets/bouquets.controller.spec.ts', 'CREATE src/modules/bouquets/bouquets.controller.ts', 'UPDATE src/app.module.ts']],
  ])('nest g %s modules/bouquets would create its files and register them in AppModule', (schematic, expected) => {
    const sut = generate(schematic, 'modules/bouquets');

    expect(sut.actions).toEqual(expected);
    expect(sut.status).toBe(0);
    expect(existsSync(join(ROOT, 'src/modules/bouquets'))).toBe(false);
  }, 60_000);
});
