import { DataSource } from 'typeorm';
import type { AppConfig, DatabaseTarget } from '../../config/app-config';
import { type DatabaseRole, dataSourceOptions } from './data-source-options';

export interface MigrationReport {
  database: string;
  applied: string[];
}

async function migrate(target: DatabaseTarget, role: DatabaseRole): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(target, role, 1));
  await dataSource.initialize();
  try {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Applies pending migrations to the catalog and then to every shard, one at a
 * time. Running it again applies nothing. The server does the same at start.
 */
export async function runAllMigrations(config: AppConfig): Promise<MigrationReport[]> {
  const reports = [{ database: 'catalog', applied: await migrate(config.catalog, 'catalog') }];
  for (const shard of config.shards) {
    reports.push({ database: `shard ${shard.id}`, applied: await migrate(shard.target, 'shard') });
  }
  return reports;
}
