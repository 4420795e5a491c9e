import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  isFQDN,
  isIP,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;

/** An IP address or a host name (`localhost` and single-label names included), as `listen` takes. */
const IsListenHost = () =>
  ValidateBy({
    name: 'isListenHost',
    validator: { validate: (value: unknown) => typeof value === 'string' && (isIP(value) || isFQDN(value, { require_tld: false })) },
  });

/**
 * Every environment variable the server reads, with its expected form.
 * `loadConfig` validates an instance of this class at start and refuses to
 * start with one line that names the first bad variable.
 */
export class Environment {
  @IsOptional()
  @IsIn(['development', 'test', 'production'])
  NODE_ENV?: 'development' | 'test' | 'production';

  @IsOptional()
  @IsListenHost()
  HOST?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  /** Behind a reverse proxy: trust X-Forwarded-For for this many hops (or true/false). */
  @IsOptional()
  @Matches(/^(true|false|[1-9])$/)
  TRUST_PROXY?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  /** Embedded profile: where the SQLite files and the local keyring live. */
  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  /** Services profile: the catalog database. */
  @IsOptional()
  @Matches(/^mysql:\/\/[^\s/]+\/[A-Za-z0-9_]+(\?\S*)?$/)
  CATALOG_DATABASE_URL?: string;

  /** Services profile: `id=mysql://...` pairs separated by commas. */
  @IsOptional()
  @Matches(
    /^\s*[a-z][a-z0-9-]{0,31}=mysql:\/\/[^\s,/]+\/[A-Za-z0-9_]+(\?[^\s,]*)?\s*(,\s*[a-z][a-z0-9-]{0,31}=mysql:\/\/[^\s,/]+\/[A-Za-z0-9_]+(\?[^\s,]*)?\s*)*$/,
  )
  SHARD_DATABASE_URLS?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/)
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+\/?$/)
  VAULT_ADDR?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  VAULT_TOKEN?: string;

  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i)
  VAULT_ROLE_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  VAULT_SECRET_ID?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]*$/)
  VAULT_TRANSIT_MOUNT?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]*$/)
  VAULT_PII_KEY?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]*$/)
  VAULT_BLIND_INDEX_KEY?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]*$/)
  VAULT_KV_MOUNT?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  VAULT_TIMEOUT_MS?: number;

  /** How often the key-rotation job checks for a new key version (seconds); 0 turns it off. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  KEY_REWRAP_INTERVAL_SECONDS?: number;

  /** How far a changes feed stays behind the clock (ms): rows changed within it are handed out on a later read. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  FEED_SETTLE_MS?: number;

  /**
   * How often each instance reconciles the cache's version-move outboxes (ms): moves a writer
   * recorded but could not make in Redis are made by the others within about this long.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  CACHE_OUTBOX_POLL_MS?: number;

  /** The most rows one CSV export may hold (`GET /api/v1/<type>/export`); a larger one is refused before anything is sent. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  EXPORT_MAX_ROWS?: number;

  /** HMAC key for access tokens; at least 32 characters. Required in the services profile. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  AUTH_TOKEN_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(3600)
  @Max(31536000)
  REFRESH_TOKEN_TTL_SECONDS?: number;

  /** Embedded profile: seed a demo tenant on an empty database (default true). */
  @IsOptional()
  @IsIn(['true', 'false'])
  SEED_DEMO?: string;
}

/** What each variable must look like, for the one-line start-up error. */
export const EXPECTED_FORM: Record<keyof Environment, string> = {
  NODE_ENV: 'one of development, test, production',
  HOST: 'an IP address or a host name to listen on, such as 127.0.0.1 or 0.0.0.0',
  PORT: 'an integer port 0-65535',
  TRUST_PROXY: 'true, false, or a number of proxy hops 1-9',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  DATA_DIR: 'the path of a directory this process can create or write to',
  CATALOG_DATABASE_URL: 'mysql://user:password@host:3306/database',
  SHARD_DATABASE_URLS: 'a comma-separated list of id=mysql://user:password@host:3306/database (id: lower-case letters, digits, dashes)',
  DATABASE_POOL_SIZE: 'an integer 1-500',
  REDIS_URL: 'redis://[user:password@]host:6379[/db]',
  VAULT_ADDR: 'http(s)://host:8200',
  VAULT_TOKEN: 'a Vault token (or set VAULT_ROLE_ID and VAULT_SECRET_ID instead)',
  VAULT_ROLE_ID: 'an AppRole role id (UUID)',
  VAULT_SECRET_ID: 'an AppRole secret id',
  VAULT_TRANSIT_MOUNT: 'a mount path such as transit',
  VAULT_PII_KEY: 'a transit key name such as bloomdesk-pii',
  VAULT_BLIND_INDEX_KEY: 'a transit key name such as bloomdesk-blind-index',
  VAULT_KV_MOUNT: 'a KV v2 mount path such as secret',
  VAULT_TIMEOUT_MS: 'an integer number of milliseconds 100-60000',
  KEY_REWRAP_INTERVAL_SECONDS: 'an integer number of seconds 0-86400 (0: no rewrap job)',
  FEED_SETTLE_MS: 'an integer number of milliseconds 0-600000',
  CACHE_OUTBOX_POLL_MS: 'an integer number of milliseconds 100-60000',
  EXPORT_MAX_ROWS: 'an integer number of rows 1-1000000',
  AUTH_TOKEN_SECRET: 'a random string of at least 32 characters',
  ACCESS_TOKEN_TTL_SECONDS: 'an integer number of seconds 60-86400',
  REFRESH_TOKEN_TTL_SECONDS: 'an integer number of seconds 3600-31536000',
  SEED_DEMO: 'true or false',
};
