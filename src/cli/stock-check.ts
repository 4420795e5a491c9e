import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config';
import { ShardRegistry } from '../infra/database/shard-registry';
import { StockBatchRepository } from '../modules/inventory/stock-batch.repository';
import { StockCheck } from '../modules/inventory/stock-check.service';
import { StockLevelRepository } from '../modules/inventory/stock-level.repository';
import { StockMovementRepository } from '../modules/inventory/stock-movement.repository';

/**
 * `npm run stock:check`: checks the stock ledger's invariant for every tenant
 * with stock on every configured shard (the same environment as the server).
 * Prints one line per tenant and every discrepancy; exits 1 if there is one.
 */
async function main(): Promise<void> {
  const shards = new ShardRegistry(loadConfig(process.env));
  const check = new StockCheck(shards, new StockLevelRepository(shards), new StockBatchRepository(shards), new StockMovementRepository(shards));
  let bad = 0;
  let tenants = 0;
  try {
    for (const shardId of shards.ids()) {
      for (const tenantId of await check.tenants({ shardId, tenantId: '' })) {
        const report = await check.run({ shardId, tenantId });
        tenants += 1;
        bad += report.discrepancies.length;
        process.stdout.write(`${shardId} ${tenantId}: ${report.levels} levels, ${report.batches} batches, ${report.discrepancies.length ? `${report.discrepancies.length} DISCREPANCIES` : 'consistent'}\n`);
        for (const d of report.discrepancies) process.stdout.write(`  store ${d.storeId} product ${d.productId}${d.batchId ? ` batch ${d.batchId}` : ''}: ${d.problem}\n`);
      }
    }
  } finally {
    await shards.onApplicationShutdown();
  }
  process.stdout.write(`checked ${tenants} tenant(s) with stock: ${bad ? `${bad} discrepancies` : 'the ledger adds up'}\n`);
  if (bad) process.exit(1);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${(error as { code?: string }).code ?? (error as Error).message}`;
  process.stderr.write(`bloomdesk: stock check failed: ${message}\n`);
  process.exit(2);
});
