import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionTable } from '../../src/infra/auth/permission-table';

describe('the README', () => {
  it('prints the permission matrix the guard enforces (regenerate with permissionTable())', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(permissionTable());
  });
});
