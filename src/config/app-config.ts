import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXPECTED_FORM, Environment } from './environment';

export type Profile = 'embedded' | 'services';

export type DatabaseTarget =
  | { kind: 'sqljs'; file: string }
  | { kind: 'mysql'; url: string };

export interface ShardConfig {
  id: string;
  target: DatabaseTarget;
}

export interface VaultConfig {
  addr: string;
  auth: { kind: 'token'; token: string } | { kind: 'approle'; roleId: string; secretId: string };
  transitMount: string;
  piiKey: string;
  blindIndexKey: string;
  kvMount: string;
  timeoutMs: number;
}

/** The typed configuration every part of the server reads; built once by `loadConfig`. */
export interface AppConfig {
  env: 'development' | 'test' | 'production';
  profile: Profile;
  http: { host: string; port: number; trustProxy: boolean | number };
  logLevel: string;
  dataDir: string;
  catalog: DatabaseTarget;
  shards: ShardConfig[];
  poolSize: number;
  redisUrl: string | null;
  vault: VaultConfig | null;
  auth: { tokenSecret: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  seedDemo: boolean;
  /** How often the key-rotation job looks for a new key version; 0: never. */
  keyRewrapIntervalSeconds: number;
  /** Changes feeds hand out rows changed at least this long ago (see FEED_SETTLE_MS). */
  feedSettleMs: number;
  /** How often the cache's version-move outboxes are reconciled (see CACHE_OUTBOX_POLL_MS). */
  cacheOutboxPollMs: number;
  /** The most rows one CSV export may hold (see EXPORT_MAX_ROWS). */
  exportMaxRows: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Thrown when the environment is wrong; its message is the one line printed at start. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const SERVICE_VARIABLES = [
  'CATALOG_DATABASE_URL',
  'SHARD_DATABASE_URLS',
  'REDIS_URL',
  'VAULT_ADDR',
  'AUTH_TOKEN_SECRET',
] as const;

function bad(variable: keyof Environment, problem = 'is malformed'): ConfigError {
  return new ConfigError(`${variable} ${problem}: expected ${EXPECTED_FORM[variable]}`);
}

function readOrCreateSecret(dataDir: string, fileName: string): string {
  const path = join(dataDir, fileName);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

/** A file-system failure under DATA_DIR (a file in its place, no permission) as the one-line start-up error. */
function usingDataDir<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    if (!code) throw error;
    throw bad('DATA_DIR', `cannot be used (${code}${path ? ` on ${path}` : ''})`);
  }
}

function parseShards(list: string): ShardConfig[] {
  const shards = list.split(',').map((entry) => {
    const at = entry.indexOf('=');
    return { id: entry.slice(0, at).trim(), target: { kind: 'mysql' as const, url: entry.slice(at + 1).trim() } };
  });
  const ids = new Set(shards.map((s) => s.id));
  if (ids.size !== shards.length) throw bad('SHARD_DATABASE_URLS', 'repeats a shard id');
  return shards;
}

function vaultConfig(env: Environment): VaultConfig {
  const auth = env.VAULT_ROLE_ID
    ? env.VAULT_SECRET_ID
      ? { kind: 'approle' as const, roleId: env.VAULT_ROLE_ID, secretId: env.VAULT_SECRET_ID }
      : (() => {
          throw bad('VAULT_SECRET_ID', 'is missing (VAULT_ROLE_ID is set)');
        })()
    : env.VAULT_TOKEN
      ? { kind: 'token' as const, token: env.VAULT_TOKEN }
      : (() => {
          throw bad('VAULT_TOKEN', 'is missing (VAULT_ADDR is set)');
        })();
  return {
    addr: env.VAULT_ADDR!.replace(/\/$/, ''),
    auth,
    transitMount: env.VAULT_TRANSIT_MOUNT ?? 'transit',
    piiKey: env.VAULT_PII_KEY ?? 'bloomdesk-pii',
    blindIndexKey: env.VAULT_BLIND_INDEX_KEY ?? 'bloomdesk-blind-index',
    kvMount: env.VAULT_KV_MOUNT ?? 'secret',
    timeoutMs: env.VAULT_TIMEOUT_MS ?? 2000,
  };
}

/**
 * Validates the environment and builds the configuration.
 * No service variable at all selects the embedded profile; any one of them
 * selects the services profile, which then needs all of them.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError naming the bad variable
 */
export function loadConfig(raw: NodeJS.ProcessEnv): AppConfig {
  const known = Object.fromEntries(
    Object.keys(EXPECTED_FORM)
      .filter((k) => raw[k] !== undefined && raw[k] !== '')
      .map((k) => [k, raw[k]]),
  );
  const env = plainToInstance(Environment, known);
  const [error] = validateSync(env, { forbidUnknownValues: true });
  if (error) throw bad(error.property as keyof Environment);

  const nodeEnv = env.NODE_ENV ?? 'development';
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const profile: Profile = SERVICE_VARIABLES.some((v) => env[v] !== undefined) ? 'services' : 'embedded';
  const common = {
    env: nodeEnv,
    profile,
    http: {
      host: env.HOST ?? '127.0.0.1',
      port: env.PORT ?? 3000,
      trustProxy: env.TRUST_PROXY === undefined || env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY === 'true' ? true : Number(env.TRUST_PROXY),
    },
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'),
    dataDir,
    poolSize: env.DATABASE_POOL_SIZE ?? 10,
    accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS ?? 900,
    refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS ?? 30 * 86400,
    keyRewrapIntervalSeconds: env.KEY_REWRAP_INTERVAL_SECONDS ?? 60,
    feedSettleMs: env.FEED_SETTLE_MS ?? 10_000,
    cacheOutboxPollMs: env.CACHE_OUTBOX_POLL_MS ?? 1000,
    exportMaxRows: env.EXPORT_MAX_ROWS ?? 100_000,
  };
  const auth = (tokenSecret: string) => ({
    tokenSecret,
    accessTtlSeconds: common.accessTtlSeconds,
    refreshTtlSeconds: common.refreshTtlSeconds,
  });

  if (profile === 'embedded') {
    if (nodeEnv === 'production') {
      throw bad('CATALOG_DATABASE_URL', 'is missing (the embedded profile is not for production)');
    }
    const tokenSecret = usingDataDir(() => {
      mkdirSync(dataDir, { recursive: true });
      return env.AUTH_TOKEN_SECRET ?? readOrCreateSecret(dataDir, 'auth-token.key');
    });
    return {
      ...common,
      catalog: { kind: 'sqljs', file: join(dataDir, 'catalog.sqlite') },
      shards: [{ id: 'local', target: { kind: 'sqljs', file: join(dataDir, 'shard-local.sqlite') } }],
      redisUrl: null,
      vault: null,
      auth: auth(tokenSecret),
      seedDemo: (env.SEED_DEMO ?? 'true') === 'true',
    };
  }

  for (const variable of SERVICE_VARIABLES) {
    if (env[variable] === undefined) throw bad(variable, 'is missing (the services profile needs it)');
  }
  return {
    ...common,
    catalog: { kind: 'mysql', url: env.CATALOG_DATABASE_URL! },
    shards: parseShards(env.SHARD_DATABASE_URLS!),
    redisUrl: env.REDIS_URL!,
    vault: vaultConfig(env),
    auth: auth(env.AUTH_TOKEN_SECRET!),
    seedDemo: false,
  };
}
