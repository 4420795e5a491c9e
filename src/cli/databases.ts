import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { type AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { RedisConnection } from '../infra/cache/redis-connection';
import { ownVersions } from '../infra/cache/version-outbox';
import { VersionStore } from '../infra/cache/version-store';
import { dataSourceOptions } from '../infra/database/data-source-options';

/** The catalog and the shards, opened on demand, for the operator commands. */
export class CliDatabases {
  readonly config: AppConfig;
  private readonly open = new Map<string, DataSource>();
  private redis?: RedisConnection;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.config = loadConfig(env);
  }

  /**
   * The catalog. With Redis configured, the principal versions its writes record
   * (a tenant moved, a flag switched) move from here right after the commit, so the
   * servers see the change on the next request; without Redis (or if it cannot be
   * reached), their reconciliation of the catalog's outbox makes the move instead.
   */
  async catalog(): Promise<DataSource> {
    const catalog = await this.get('catalog', () => dataSourceOptions(this.config.catalog, 'catalog', 2));
    if (this.config.redisUrl && !this.redis) {
      this.redis = new RedisConnection(this.config);
      await this.redis.onModuleInit();
      ownVersions(catalog, new VersionStore(this.redis));
    }
    return catalog;
  }

  shard(id: string): Promise<DataSource> {
    const shard = this.config.shards.find((s) => s.id === id);
    if (!shard) throw new Error(`No shard "${id}" in SHARD_DATABASE_URLS (known: ${this.config.shards.map((s) => s.id).join(', ')})`);
    return this.get(`shard:${id}`, () => dataSourceOptions(shard.target, 'shard', 2));
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((ds) => ds.destroy()));
    await this.redis?.onApplicationShutdown();
  }

  private async get(key: string, options: () => ReturnType<typeof dataSourceOptions>): Promise<DataSource> {
    let ds = this.open.get(key);
    if (!ds) {
      ds = new DataSource(options());
      await ds.initialize();
      this.open.set(key, ds);
    }
    return ds;
  }
}

/** Runs an operator command: one line of output per result, one line naming the failure, exit 1. */
export async function runCommand(work: (dbs: CliDatabases) => Promise<string[]>): Promise<void> {
  let dbs: CliDatabases | undefined;
  try {
    dbs = new CliDatabases();
    for (const line of await work(dbs)) process.stdout.write(`${line}\n`);
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`bloomdesk: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await dbs?.close().catch(() => undefined);
  }
}
