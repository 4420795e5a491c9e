import { FeatureFlags } from '../modules/tenants/feature-flags';
import { runCommand } from './databases';

/**
 * `npm run feature -- <tenant-id>` lists a tenant's flags;
 * `npm run feature -- <tenant-id> <flag> on|off` switches one.
 */
void runCommand(async (dbs) => {
  const [tenantId, flag, state] = process.argv.slice(2);
  if (!tenantId || (flag && state !== 'on' && state !== 'off')) throw new Error('usage: npm run feature -- <tenant-id> [<flag> on|off]');
  const flags = new FeatureFlags(await dbs.catalog());
  if (flag) await flags.set(tenantId, flag, state === 'on');
  return Object.entries(await flags.list(tenantId)).map(([name, on]) => `${name}: ${on ? 'on' : 'off'}`);
});
