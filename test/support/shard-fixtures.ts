import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { ShardRegistry } from '../../src/infra/database/shard-registry';
import type { TestApp } from './app-harness';

/**
 * Puts a tenant that has no data yet on `shardId` (a new shop's data is all in
 * the catalog until its first write), so a suite decides which tenants share a shard.
 */
export async function placeOn(t: TestApp, tenantId: string, shardId: string): Promise<void> {
  if (!t.app.get(ShardRegistry).has(shardId)) throw new Error(`no shard ${shardId}`);
  await t.app.get(CatalogDatabase).dataSource.query('UPDATE tenants SET shard_id = ? WHERE id = ?', [shardId, tenantId]);
}
