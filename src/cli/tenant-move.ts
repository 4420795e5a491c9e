import { TenantMover } from '../modules/tenants/tenant-mover';
import { runCommand } from './databases';

const USAGE = 'usage: npm run tenant:move -- <tenant-id> <target-shard> | <tenant-id> --drop-copy <old-shard> | <tenant-id> --resume';

type Action = { move: string } | { dropCopy: string } | { resume: true };

/** What the arguments ask for; the usage line for anything else. */
function actionOf([second, third, ...more]: string[]): Action {
  if (more.length === 0) {
    if (second === '--drop-copy' && third) return { dropCopy: third };
    if (second === '--resume' && third === undefined) return { resume: true };
    if (second && !second.startsWith('--') && third === undefined) return { move: second };
  }
  throw new Error(USAGE);
}

/**
 * `npm run tenant:move -- <tenant-id> <target-shard>`: fences, copies, verifies twice, switches.
 * `npm run tenant:move -- <tenant-id> --drop-copy <old-shard>`: deletes the old copy.
 * `npm run tenant:move -- <tenant-id> --resume`: reopens the writes of a tenant a failed move could not put back.
 * The arguments are checked before any database is opened.
 */
void runCommand(async (dbs) => {
  const [tenantId, ...rest] = process.argv.slice(2);
  if (!tenantId) throw new Error(USAGE);
  const action = actionOf(rest);
  const mover = new TenantMover(await dbs.catalog(), (id) => dbs.shard(id), (_step, line) => void process.stdout.write(`${line}\n`));
  if ('dropCopy' in action) return [`deleted ${await mover.dropCopy(tenantId, action.dropCopy)} rows of tenant ${tenantId} from shard ${action.dropCopy}`];
  if ('resume' in action) return [`tenant ${tenantId}: writes open again on shard ${await mover.resume(tenantId)}`];
  const report = await mover.move(tenantId, action.move);
  return [`moved tenant ${report.tenantId} from ${report.from} to ${report.to}: ${report.tables.reduce((n, t) => n + t.rows, 0)} rows verified`];
});
