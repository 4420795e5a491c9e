import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CatalogDatabase } from '../../infra/database/catalog-database';
import { ShardRegistry } from '../../infra/database/shard-registry';
import { FENCE_CLOSED } from '../../infra/tenancy/tenant-fence';
import { BlindIndexBackfill } from './blind-index-backfill';
import { ciphertextTables, type CiphertextTable } from './ciphertext-columns';
import { type CiphertextRow, CiphertextRepository } from './ciphertext.repository';
import { ENCRYPTION_PROVIDER, type EncryptionProvider, versionPrefix } from './encryption.provider';
import { SecretsError, SecretsErrorCode } from './secrets.errors';
import { SecretsMetrics } from './secrets.metrics';
import { TRANSIT_CHUNK_SIZE } from './vault-transit.client';

/** Values per rewrap call: the transit client's chunk size, so one batch is one Vault request. */
export const REWRAP_BATCH_SIZE = TRANSIT_CHUNK_SIZE;

export type DatabaseOutcome =
  /** Nothing left behind. */
  | 'complete'
  /** Only values that do not decrypt are left; they stay as they are and are counted. */
  | 'failures'
  /** Values on an old version were written while the pass ran; the next pass takes them. */
  | 'unfinished'
  /** Another instance holds this database's rewrap lock. */
  | 'busy'
  /** Vault or the database could not be reached; the next pass goes on. */
  | 'unavailable'
  | 'error'
  /** The server is shutting down. */
  | 'interrupted';

export interface DatabaseReport {
  database: string;
  pendingBefore: number;
  rewrapped: number;
  failed: number;
  pendingAfter: number;
  outcome: DatabaseOutcome;
}

export interface RewrapReport {
  keyVersion: number;
  databases: DatabaseReport[];
  /** True when the next check must pass again (an outage, a busy lock, a shutdown). */
  retry: boolean;
}

interface Target {
  name: string;
  open: () => Promise<DataSource> | DataSource;
  /** A shard: its writes pass each tenant's move fence. (The catalog has none: tenant moves leave it alone.) */
  fenced: boolean;
}

/** A database error's name and code only: its message may quote the values of the statement. */
function reasonOf(error: unknown): string {
  if (error instanceof SecretsError) return error.detail;
  const code = (error as { code?: unknown })?.code;
  return `${(error as Error)?.name ?? 'error'}${typeof code === 'string' ? ` (${code})` : ''}`;
}

/**
 * The background half of key rotation. Every `KEY_REWRAP_INTERVAL_SECONDS` it
 * reads the PII key's newest version; on a version it has not finished (and
 * once after start) it moves every ciphertext of the catalog and of every shard
 * to that version: per table, per tenant (the tenant id is the derivation
 * context), pages of at most 200 values, one `rewrap` call and one transaction
 * a page. Plaintext never reaches it.
 *
 * It keeps no progress state: a value already moved starts with the new
 * `vault:vN:` prefix and no longer matches the scan, so after a crash the next
 * pass simply finds what is left. On MySQL a named lock per database keeps two
 * instances from doing the same work twice.
 *
 * @example
 * const report = await job.runOnce(); // what `/metrics` shows as bloomdesk_rewrap_*
 */
@Injectable()
export class RewrapJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RewrapJob.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<RewrapReport>;
  private finishedVersion?: number;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalog: CatalogDatabase,
    private readonly shards: ShardRegistry,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
    private readonly ciphertexts: CiphertextRepository,
    private readonly metrics: SecretsMetrics,
    private readonly backfill: BlindIndexBackfill,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every database; a call while a pass runs shares it. Rejects when the key version cannot be read. */
  runOnce(): Promise<RewrapReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    const seconds = this.config.keyRewrapIntervalSeconds;
    if (this.stopped || seconds <= 0) return;
    this.timer = setTimeout(() => void this.tick(), seconds * 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const version = (await this.encryption.keyVersions()).latest;
      this.metrics.keyVersion.set(version);
      if (version !== this.finishedVersion) {
        const report = await this.runOnce();
        if (!report.retry) this.finishedVersion = report.keyVersion;
      }
    } catch (error) {
      this.logger.warn(`Key rotation check failed, trying again later: ${reasonOf(error)}`);
    } finally {
      this.schedule();
    }
  }

  private async pass(): Promise<RewrapReport> {
    const keyVersion = (await this.encryption.keyVersions()).latest;
    this.metrics.keyVersion.set(keyVersion);
    const prefix = versionPrefix(this.encryption.kind, keyVersion);
    const targets: Target[] = [
      { name: 'catalog', open: () => this.catalog.dataSource, fenced: false },
      ...this.shards.ids().map((id) => ({ name: `shard:${id}`, open: () => this.shards.dataSource(id), fenced: true })),
    ];
    const databases: DatabaseReport[] = [];
    for (const target of targets) {
      let report: DatabaseReport;
      let vaultDown = false;
      try {
        report = await this.database(target, prefix);
      } catch (error) {
        this.logger.warn(`Rewrap of ${target.name} stopped: ${reasonOf(error)}`);
        report = { ...emptyReport(target.name), outcome: 'unavailable' };
        vaultDown = true;
      }
      databases.push(report);
      // Vault gone: every other database would fail the same way.
      if (vaultDown || report.outcome === 'interrupted') break;
    }
    const retry = databases.length < targets.length || databases.some((d) => !['complete', 'failures'].includes(d.outcome));
    this.metrics.rewrapPasses.inc({ outcome: retry ? 'incomplete' : 'complete' });
    const moved = databases.reduce((n, d) => n + d.rewrapped, 0);
    if (moved || retry) {
      this.logger.log(`Rewrap to key version ${keyVersion}: ${databases.map((d) => `${d.database} ${d.outcome} (${d.rewrapped} moved, ${d.pendingAfter} left)`).join('; ')}.`);
    }
    return { keyVersion, databases, retry };
  }

  /** Rejects only when Vault is unavailable; every other failure is this database's outcome. */
  private async database(target: Target, prefix: string): Promise<DatabaseReport> {
    const report = emptyReport(target.name);
    let db: DataSource;
    try {
      db = await target.open();
    } catch {
      return { ...report, outcome: 'unavailable' };
    }
    try {
      const locked = await withLock(db, async () => {
        // Blind indexes a migration added without values; the same pass, lock and outage handling.
        await this.backfill.fill(db);
        const tables = ciphertextTables(db);
        report.pendingBefore = await this.count(db, tables, prefix);
        this.metrics.rewrapPending.set({ database: target.name }, report.pendingBefore);
        for (const table of tables) {
          if (!(await this.table(db, target.fenced, table, prefix, report))) break;
        }
        report.pendingAfter = await this.count(db, tables, prefix);
        this.metrics.rewrapPending.set({ database: target.name }, report.pendingAfter);
      });
      if (!locked) report.outcome = 'busy';
      else if (this.stopped) report.outcome = 'interrupted';
      else if (report.pendingAfter === 0) report.outcome = 'complete';
      else if (report.pendingAfter <= report.failed) report.outcome = 'failures';
      else report.outcome = 'unfinished';
    } catch (error) {
      if (error instanceof SecretsError && error.code === SecretsErrorCode.Unavailable) throw error;
      this.logger.warn(`Rewrap of ${target.name} stopped: ${reasonOf(error)}`);
      report.outcome = 'error';
    }
    return report;
  }

  /**
   * Every tenant's rows of one table; false when the server is stopping. A
   * tenant being moved (its fence closed) is left as it is: its values stay
   * pending, so the pass ends unfinished and the next one takes them, on
   * whichever shard the tenant then lives.
   */
  private async table(db: DataSource, fenced: boolean, table: CiphertextTable, prefix: string, report: DatabaseReport): Promise<boolean> {
    const limit = Math.max(1, Math.floor(REWRAP_BATCH_SIZE / table.columns.length));
    for (const tenantId of await this.ciphertexts.tenantsBehind(db, table, prefix)) {
      let after: string[] | null = null;
      for (;;) {
        if (this.stopped) return false;
        const rows = await this.ciphertexts.rowsBehind(db, table, prefix, tenantId, after, limit);
        if (!rows.length) break;
        const outcome = await this.rows(db, fenced, table, tenantId, rows, prefix);
        if (outcome === FENCE_CLOSED) {
          this.logger.log(`Rewrap of ${report.database}: tenant ${tenantId} is being moved (its writes are fenced); its values wait for the next pass.`);
          break;
        }
        const { written, failed } = outcome;
        report.rewrapped += written;
        report.failed += failed;
        this.metrics.rewrapped.inc({ database: report.database }, written);
        this.metrics.rewrapPending.dec({ database: report.database }, written);
        if (failed) this.metrics.rewrapFailed.inc({ database: report.database }, failed);
        after = rows[rows.length - 1].key;
      }
    }
    return true;
  }

  /**
   * One rewrap call for the page. A value that does not decrypt is left as it
   * is (logged by its row, never its ciphertext) and the call repeated without it.
   */
  private async rows(db: DataSource, fenced: boolean, table: CiphertextTable, tenantId: string, rows: CiphertextRow[], prefix: string) {
    let items = rows.flatMap((row) =>
      table.columns
        .filter((column) => row.values[column] !== null && !row.values[column]!.startsWith(prefix))
        .map((column) => ({ key: row.key, column, from: row.values[column]! })),
    );
    let failed = 0;
    while (items.length) {
      let moved: string[];
      try {
        moved = await this.encryption.rewrap(tenantId, items.map((i) => i.from));
      } catch (error) {
        const index = error instanceof SecretsError && error.code === SecretsErrorCode.CiphertextInvalid ? (error.meta?.index as number | undefined) : undefined;
        if (index === undefined || !items[index]) throw error;
        this.logger.warn(`Rewrap: ${table.table}.${items[index].column} of ${rowName(table, tenantId, items[index].key)} does not decrypt; left as it is.`);
        items = items.filter((_, i) => i !== index);
        failed++;
        continue;
      }
      const written = await this.ciphertexts.replace(db, table, tenantId, items.map((item, i) => ({ ...item, to: moved[i] })), fenced);
      return written === FENCE_CLOSED ? written : { written, failed };
    }
    return { written: 0, failed };
  }

  private async count(db: DataSource, tables: readonly CiphertextTable[], prefix: string): Promise<number> {
    let total = 0;
    for (const table of tables) total += await this.ciphertexts.countBehind(db, table, prefix);
    return total;
  }
}

const emptyReport = (database: string): DatabaseReport => ({ database, pendingBefore: 0, rewrapped: 0, failed: 0, pendingAfter: 0, outcome: 'complete' });

/** Tenant and record id for the log; other keys (an Idempotency-Key) are the client's and stay out of it. */
function rowName(table: CiphertextTable, tenantId: string, key: readonly string[]): string {
  const id = table.keyColumns.length === 1 && table.keyColumns[0] === 'id' ? key[0] : '(key withheld)';
  return `tenant ${tenantId} row ${id}`;
}

/**
 * Runs `work` holding a MySQL named lock for this database (GET_LOCK is per
 * server, so the name carries the database); resolves false without running it
 * when another session holds the lock. SQLite (one process) needs none.
 */
async function withLock(db: DataSource, work: () => Promise<void>): Promise<boolean> {
  if (db.options.type !== 'mysql') {
    await work();
    return true;
  }
  const runner = db.createQueryRunner();
  try {
    const [{ name }] = await runner.query('SELECT DATABASE() AS name');
    const lock = `bloomdesk-rewrap:${createHash('sha256').update(String(name)).digest('hex').slice(0, 40)}`;
    const [{ got }] = await runner.query('SELECT GET_LOCK(?, 0) AS got', [lock]);
    if (Number(got) !== 1) return false;
    try {
      await work();
      return true;
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    await runner.release();
  }
}
