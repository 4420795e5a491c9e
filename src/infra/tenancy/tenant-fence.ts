import { DataSource, type EntityManager } from 'typeorm';
import { tenantMoving } from '../auth/auth.errors';
import { inTransaction } from '../database/transactions';

/**
 * The write fence of a tenant on one shard: a row in `tenant_fences`. Every write
 * transaction of the tenant reads it first under a shared lock and holds that lock
 * until it commits (`passFence`); a tenant move closes it (`closeFence`), which
 * waits for every transaction holding it and makes every later one fail with
 * `tenant-moving`. So when the mover starts copying, no write of that tenant can
 * still commit on the source, whatever the auth guard saw when the request began.
 * Other tenants lock other rows and never wait.
 *
 * On the embedded profile (SQLite, one connection, transactions one at a time)
 * the row is read without a lock clause; there is one shard there, so no move.
 */
export type FenceState = 'open' | 'closed';

const TABLE = 'tenant_fences';

/** UTC, in the form both MySQL DATETIME(3) and TypeORM's SQLite columns hold (raw queries bind no Date on sql.js). */
const now = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

const isMysql = (db: EntityManager | DataSource) => (db instanceof DataSource ? db : db.dataSource).options.type === 'mysql';

/** Makes sure the tenant has a fence row (open if new). Idempotent; takes no lock that outlives it. */
export async function ensureFence(em: EntityManager | DataSource, tenantId: string): Promise<void> {
  await em.query(`INSERT ${isMysql(em) ? 'IGNORE' : 'OR IGNORE'} INTO ${TABLE} (tenant_id, state, updated_at) VALUES (?, ?, ?)`, [tenantId, 'open', now()]);
}

async function readFence(tx: EntityManager, tenantId: string): Promise<FenceState | undefined> {
  const rows: Array<{ state: FenceState }> = await tx.query(`SELECT state FROM ${TABLE} WHERE tenant_id = ?${isMysql(tx) ? ' LOCK IN SHARE MODE' : ''}`, [tenantId]);
  return rows[0]?.state;
}

/**
 * The first statement of a tenant's write transaction `tx`: holds the fence open
 * until `tx` ends, or throws `tenant-moving` when a move has closed it. The row
 * must exist (`ensureFence`); where it does not yet, it is made here, which on
 * SQLite is safe because transactions run one at a time.
 */
export async function passFence(tx: EntityManager, tenantId: string): Promise<void> {
  if (!(await holdFence(tx, tenantId))) throw tenantMoving();
}

/** Reads the fence under the shared lock `tx` then holds (making the row where there is none yet): whether it is open. */
async function holdFence(tx: EntityManager, tenantId: string): Promise<boolean> {
  let state = await readFence(tx, tenantId);
  if (state === undefined) {
    await ensureFence(tx, tenantId);
    state = await readFence(tx, tenantId);
  }
  return state === 'open';
}

/** What `inFencedTransaction` resolves when the fence is closed and its work did not run. */
export const FENCE_CLOSED = Symbol('fence closed');

/**
 * A write transaction of one tenant on a shard that no request opened (a
 * maintenance job: the key-rotation rewrap, the Idempotency-Key purge). It
 * passes the tenant's fence exactly as `ShardRegistry.transaction` makes every
 * request's write do, so a job cannot change rows a tenant move is copying
 * (the move would find them changed at its second check and abort). While the
 * fence is closed it resolves `FENCE_CLOSED` without running `work`: the job
 * leaves that tenant for a later run and goes on with the others.
 *
 * @example
 * const result = await inFencedTransaction(ds, tenantId, (tx) => tx.delete(IdempotencyRecord, { tenantId, ... }));
 * if (result === FENCE_CLOSED) skipped.push(tenantId);
 */
export async function inFencedTransaction<T>(ds: DataSource, tenantId: string, work: (tx: EntityManager) => Promise<T>): Promise<T | typeof FENCE_CLOSED> {
  // Made outside the transaction on MySQL: two first writers making it inside theirs could deadlock.
  if (isMysql(ds)) await ensureFence(ds, tenantId);
  return inTransaction(ds, async (tx) => ((await holdFence(tx, tenantId)) ? work(tx) : FENCE_CLOSED));
}

async function setFence(ds: DataSource, tenantId: string, state: FenceState): Promise<void> {
  await inTransaction(ds, async (tx) => {
    await ensureFence(tx, tenantId);
    await tx.query(`UPDATE ${TABLE} SET state = ?, updated_at = ? WHERE tenant_id = ?`, [state, now(), tenantId]);
  });
}

/** Closes the tenant's fence on `ds`: returns once every write transaction that held it has ended; none can start after. */
export const closeFence = (ds: DataSource, tenantId: string) => setFence(ds, tenantId, 'closed');

/** Lets the tenant's writes through on `ds` again. */
export const openFence = (ds: DataSource, tenantId: string) => setFence(ds, tenantId, 'open');

export async function fenceState(ds: DataSource, tenantId: string): Promise<FenceState | undefined> {
  const rows: Array<{ state: FenceState }> = await ds.query(`SELECT state FROM ${TABLE} WHERE tenant_id = ?`, [tenantId]);
  return rows[0]?.state;
}
