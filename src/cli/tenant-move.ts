import { TenantMover } from '../modules/tenants/tenant-mover';
import { runCommand } from './databases';

/**
 * `npm run tenant:move -- <tenant-id> <target-shard>`: copies, verifies, switches.
 * `npm run tenant:move -- <tenant-id> --drop-copy <old-shard>`: deletes the old copy.
 */
void runCommand(async (dbs) => {
  const [tenantId, second, third] = process.argv.slice(2);
  const mover = new TenantMover(await dbs.catalog(), (id) => dbs.shard(id), (line) => process.stdout.write(`${line}\n`));
  if (second === '--drop-copy' && third) return [`deleted ${await mover.dropCopy(tenantId, third)} rows of tenant ${tenantId} from shard ${third}`];
  if (!tenantId || !second) throw new Error('usage: npm run tenant:move -- <tenant-id> <target-shard> | <tenant-id> --drop-copy <old-shard>');
  const report = await mover.move(tenantId, second);
  return [`moved tenant ${report.tenantId} from ${report.from} to ${report.to}: ${report.tables.reduce((n, t) => n + t.rows, 0)} rows verified`];
});
