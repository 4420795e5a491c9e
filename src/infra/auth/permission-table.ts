import { ROLES } from '../tenancy/request-context';
import { PERMISSION_MATRIX, type Permission } from './permissions';

/** The permission matrix as a Markdown table, for the README (a test keeps the two equal). */
export function permissionTable(): string {
  const lines = [`| permission | ${ROLES.join(' | ')} |`, `|---|${ROLES.map(() => ':---:').join('|')}|`];
  for (const [permission, roles] of Object.entries(PERMISSION_MATRIX) as Array<[Permission, readonly string[]]>) {
    lines.push(`| \`${permission}\` | ${ROLES.map((role) => (roles.includes(role) ? 'yes' : '')).join(' | ')} |`);
  }
  return lines.join('\n');
}
