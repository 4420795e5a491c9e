import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ShardRegistry } from '../../infra/database/shard-registry';
import type { RequestContext } from '../../infra/tenancy/request-context';
import { FENCE_CLOSED, inFencedTransaction } from '../../infra/tenancy/tenant-fence';
import { IntegrationSecretRemoval } from './entities';
import { INTEGRATION_VALUE_STORE, type IntegrationValueStore } from './integration-value.store';

/** How often owed KV deletes are retried; the first sweep follows the start by half a minute. */
const SWEEP_INTERVAL_MS = 60 * 1000;
const FIRST_SWEEP_MS = 30 * 1000;
/** Removals tried per shard and sweep. */
const SWEEP_BATCH = 200;

/**
 * Deleting an integration credential deletes its row and records here, in the
 * same transaction, that Vault KV still holds its value; the KV delete runs once
 * the transaction has committed. So a delete that rolls back never loses a value
 * a row still points to, and a KV delete that fails (Vault down) is not lost
 * either: a sweep retries it every minute until Vault has forgotten every version.
 * Deleting a credential therefore does not need Vault to be up.
 *
 * Each removal runs in a transaction of its own that passes the tenant's move
 * fence and holds the removal's row, so a sweep and a request never remove the
 * same value twice, and no removal runs on a copy a tenant move has left behind.
 */
@Injectable()
export class IntegrationSecretRemovals implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IntegrationSecretRemovals.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly shards: ShardRegistry,
    @Inject(INTEGRATION_VALUE_STORE) private readonly values: IntegrationValueStore,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.sweep();
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, SWEEP_INTERVAL_MS).unref();
    }, FIRST_SWEEP_MS).unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** In the transaction that deletes secret `id`: its value is owed a KV delete, made after the commit. */
  async owe(ctx: RequestContext, id: string): Promise<void> {
    await (await this.shards.manager(ctx)).insert(IntegrationSecretRemoval, { tenantId: ctx.tenantId, id, requestedAt: new Date() });
    this.shards.afterCommit(ctx, () => this.settle(ctx.shardId, ctx.tenantId, id));
  }

  /**
   * In the transaction that creates secret `id`: a value an earlier secret of that
   * id left in KV goes first, so the new secret's versions start from nothing.
   */
  async settleBeforeReuse(ctx: RequestContext, id: string): Promise<void> {
    await this.removeIfOwed(await this.shards.manager(ctx), ctx.tenantId, id);
  }

  /** Makes the KV delete owed for secret `id`, if still owed; a failure is logged and left to the sweep. */
  async settle(shardId: string, tenantId: string, id: string): Promise<void> {
    await this.attempt(shardId, tenantId, id).catch((error: unknown) => this.postponed(id, error));
  }

  /**
   * Retries the owed removals of every shard it can reach. On a shard it stops at
   * the first failure (Vault is likely down for all of them) and skips tenants
   * being moved. Answers how many were made.
   */
  async sweep(): Promise<number> {
    let settled = 0;
    for (const shardId of this.shards.ids()) {
      let owed: IntegrationSecretRemoval[];
      try {
        owed = await (await this.shards.dataSource(shardId)).manager.find(IntegrationSecretRemoval, { order: { requestedAt: 'ASC' }, take: SWEEP_BATCH });
      } catch {
        this.logger.warn(`integration secret removals: shard ${shardId} skipped; it will be swept again`);
        continue;
      }
      let current = '';
      try {
        for (const { tenantId, id } of owed) {
          current = id;
          if (await this.attempt(shardId, tenantId, id)) settled += 1;
        }
      } catch (error) {
        this.postponed(current, error);
      }
    }
    return settled;
  }

  /** False when the tenant's fence is closed (a move is copying it): the removal waits for the next sweep. */
  private async attempt(shardId: string, tenantId: string, id: string): Promise<boolean> {
    const done = await inFencedTransaction(await this.shards.dataSource(shardId), tenantId, (tx) => this.removeIfOwed(tx, tenantId, id));
    return done !== FENCE_CLOSED;
  }

  private postponed(id: string, error: unknown): void {
    this.logger.warn(`integration secret ${id}: its value is not removed yet (${(error as Error).name}); the removal is retried every minute`);
  }

  private async removeIfOwed(em: EntityManager, tenantId: string, id: string): Promise<void> {
    const query = em.createQueryBuilder(IntegrationSecretRemoval, 'r').where('r.tenantId = :tenantId AND r.id = :id', { tenantId, id });
    const owed = await (em.connection.options.type === 'mysql' ? query.setLock('pessimistic_write') : query).getOne();
    if (!owed) return;
    await this.values.remove(tenantId, id);
    await em.delete(IntegrationSecretRemoval, { tenantId, id });
  }
}
