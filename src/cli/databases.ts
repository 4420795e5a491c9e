import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { type AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../infra/database/data-source-options';

/** The catalog and the shards, opened on demand, for the operator commands. */
export class CliDatabases {
  readonly config: AppConfig;
  private readonly open = new Map<string, DataSource>();

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.config = loadConfig(env);
  }

  catalog(): Promise<DataSource> {
    return this.get('catalog', () => dataSourceOptions(this.config.catalog, 'catalog', 2));
  }

  shard(id: string): Promise<DataSource> {
    const shard = this.config.shards.find((s) => s.id === id);
    if (!shard) throw new Error(`No shard "${id}" in SHARD_DATABASE_URLS (known: ${this.config.shards.map((s) => s.id).join(', ')})`);
    return this.get(`shard:${id}`, () => dataSourceOptions(shard.target, 'shard', 2));
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((ds) => ds.destroy()));
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
