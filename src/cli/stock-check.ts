import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config';
import { ShardRegistry } from '../infra/database/shard-registry';
import { StockBatchRepository } from '../modules/inventory/stock-batch.repository';
import { StockCheck } from '../modules/inventory/stock-check.service';
import { TransferRepository } from '../modules/inventory/stock-document.repository';
import { StockLevelRepository } from '../modules/inventory/stock-level.repository';
import { StockMovementRepository } from '../modules/inventory/stock-movement.repository';

/**
 * `npm run stock:check`: checks the stock ledger's invariant for every tenant
 * with stock on every configured shard (the same environment as the server).
 * Prints one line per tenant and every discrepancy. Answers the exit code: 0 when
 * the ledger adds up, 1 when there is a discrepancy, 2 when the check could not run.
 */
export async function stockCheck(env: NodeJS.ProcessEnv, out: (line: string) => void, err = out): Promise<number> {
  let shards: ShardRegistry | undefined;
  try {
    shards = new ShardRegistry(loadConfig(env));
    const check = new StockCheck(shards, new StockLevelRepository(shards), new StockBatchRepository(shards), new StockMovementRepository(shards), new TransferRepository(shards));
    let bad = 0;
    let tenants = 0;
    for (const shardId of shards.ids()) {
      for (const tenantId of await check.tenants({ shardId, tenantId: '' })) {
        const report = await check.run({ shardId, tenantId });
        tenants += 1;
        bad += report.discrepancies.length;
        out(`${shardId} ${tenantId}: ${report.levels} levels, ${report.batches} batches, ${report.discrepancies.length ? `${report.discrepancies.length} DISCREPANCIES` : 'consistent'}`);
        for (const d of report.discrepancies) {
          out(`  store ${d.storeId} product ${d.productId}${d.batchId ? ` batch ${d.batchId}` : ''}${d.transferId ? ` transfer ${d.transferId}` : ''}: ${d.problem}`);
        }
      }
    }
    out(`checked ${tenants} tenant(s) with stock: ${bad ? `${bad} discrepancies` : 'the ledger adds up'}`);
    return bad ? 1 : 0;
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${(error as { code?: string }).code ?? (error as Error).message}`;
    err(`bloomdesk: stock check failed: ${message}`);
    return 2;
  } finally {
    await shards?.onApplicationShutdown();
  }
}

if (require.main === module) {
  void stockCheck(
    process.env,
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  ).then((code) => process.exit(code));
}
