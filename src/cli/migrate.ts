import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config';
import { failureReason } from '../infra/database/database.errors';
import { runAllMigrations } from '../infra/database/migrate';

/** `npm run migration:run`: migrates the catalog and every configured shard. */
async function main(): Promise<void> {
  try {
    const reports = await runAllMigrations(loadConfig(process.env));
    for (const { database, applied } of reports) {
      process.stdout.write(`${database}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
    }
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${failureReason(error)}`;
    process.stderr.write(`bloomdesk: migration failed: ${message}\n`);
    process.exit(1);
  }
}

void main();
