import { TenantMover } from '../modules/tenants/tenant-mover';
import { runCommand } from './databases';

const USAGE = 'usage: npm run tenant:move -- <tenant-id> <target-shard> | <tenant-id> --drop-copy <old-shard> | <tenant-id> --resume';

/**
 * `npm run tenant:move -- <tenant-id> <target-shard>`: fences, copies, verifies twice, switches.
 * `npm run tenant:move -- <tenant-id> --drop-copy <old-shard>`: deletes the old copy.
 * `npm run tenant:move -- <tenant-id> --resume`: reopens the writes of a tenant a failed move could not put back.
 */
void runCommand(async (dbs) => {
  const [tenantId, second, third] = process.argv.slice(2);
  const mover = new TenantMover(await dbs.catalog(), (id) => dbs.shard(id), (_step, line) => void process.stdout.write(`${line}\n`));
  if (!tenantId || !second) throw new Error(USAGE);
  if (second === '--drop-copy' && third) return [`deleted ${await mover.dropCopy(tenantId, third)} rows of tenant ${tenantId} from shard ${third}`];
  if (second === '--resume') return [`tenant ${tenantId}: writes open again on shard ${await mover.resume(tenantId)}`];
  if (second.startsWith('--')) throw new Error(USAGE);
  const report = await mover.move(tenantId, second);
  return [`moved tenant ${report.tenantId} from ${report.from} to ${report.to}: ${report.tables.reduce((n, t) => n + t.rows, 0)} rows verified`];
});
