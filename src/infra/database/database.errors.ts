import type { DatabaseTarget } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';

export enum DatabaseErrorCode {
  /** The tenant's shard cannot be reached; only that shard's tenants are affected. */
  ShardUnavailable = 'shard-unavailable',
  CatalogUnavailable = 'catalog-unavailable',
  /** A transaction lost a lock conflict (deadlock, lock wait timeout) and wrote nothing: the same request may well pass now. */
  TryAgain = 'try-again',
}

export class DatabaseError extends DomainError<DatabaseErrorCode> {}

const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
]);

/** True when an error from TypeORM/mysql2 means the database is out of reach (not a bad query). */
export function isConnectionFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_FAILURES.has(code)) return true;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A database the server cannot start without (the catalog) could not be opened
 * or migrated. Its message is the one line `main.ts` prints: which database,
 * where, and the driver's reason; never a credential or a stack.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Where a database is, for an operator: its file, or host, port and database of its URL without the credentials. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqljs') return target.file;
  try {
    const url = new URL(target.url);
    return `${url.host}${url.pathname}`;
  } catch {
    return 'a MySQL URL that does not parse';
  }
}

/** The driver's reason in a word or a line: its error code (ECONNREFUSED, ER_ACCESS_DENIED_ERROR), else its message's first line. */
export function failureReason(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  const message = error instanceof Error ? error.message : String(error);
  // A message may quote a URL; its credentials stay out of the line.
  return message.split('\n')[0].replace(/\/\/[^/\s@]*@/g, '//***@').slice(0, 200);
}

/** True when an insert hit a unique key (MySQL ER_DUP_ENTRY, SQLite UNIQUE/PRIMARY KEY constraint). */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown; message?: unknown }; message?: unknown };
  const code = e?.driverError?.code ?? e?.code;
  if (code === 'ER_DUP_ENTRY') return true;
  const message = String(e?.driverError?.message ?? e?.message ?? '');
  return /UNIQUE constraint failed|PRIMARY KEY constraint failed/.test(message);
}

/** The MySQL error code of `error` or of the driver error it wraps (TypeORM's QueryFailedError). */
function mysqlCode(error: unknown): unknown {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  return e?.driverError?.code ?? e?.code;
}

/** True when MySQL chose this transaction as a deadlock's victim (1213 ER_LOCK_DEADLOCK): it rolled the whole transaction back. */
export function isDeadlock(error: unknown): boolean {
  return mysqlCode(error) === 'ER_LOCK_DEADLOCK';
}

/**
 * A lock conflict as the client sees it: a deadlock that every attempt lost, or
 * a lock wait timeout (1205 ER_LOCK_WAIT_TIMEOUT: another transaction held the
 * rows too long). Nothing of the request was written; 503 with Retry-After.
 * Undefined for any other error.
 */
export function lockConflict(error: unknown): DatabaseError | undefined {
  const code = mysqlCode(error);
  if (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT') return undefined;
  return new DatabaseError(DatabaseErrorCode.TryAgain, 'The database was busy with a conflicting change and nothing was written. Send the request again.', undefined, {
    retryAfter: 1,
  });
}
