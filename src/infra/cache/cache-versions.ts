import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../tenancy/request-context';
import { cacheKeys } from './cache-keys';
import { VersionOutbox, shardVersions } from './version-outbox';

type WriterCtx = Pick<RequestContext, 'tenantId' | 'shardId' | 'tx' | 'afterCommit'>;

/**
 * Versions of cached read documents: one per store and namespace ("stock") and
 * one per tenant-wide tag ("catalog"). A cached document records the versions it
 * was built under and is served only while they are current, so moving a version
 * makes the next read on every instance load afresh; no TTL guesses freshness.
 * Writers call `touch...` inside their shard transaction: the move is recorded in
 * it (`cache_version_moves`) and made after the commit, before the write answers
 * (`VersionOutbox`, which also covers a move that cannot reach Redis).
 *
 * @example
 * versions.touchStore(txCtx, storeId, 'stock'); // in a transaction that changes stock
 */
@Injectable()
export class CacheVersions {
  constructor(private readonly outbox: VersionOutbox) {}

  touchStore(ctx: WriterCtx, storeId: string, namespace: string): Promise<void> {
    return this.outbox.touch(shardVersions(ctx.shardId), ctx.tenantId, cacheKeys.storeVersion(ctx.tenantId, storeId, namespace), ctx.tx, ctx.afterCommit);
  }

  touchTenant(ctx: WriterCtx, tag: string): Promise<void> {
    return this.outbox.touch(shardVersions(ctx.shardId), ctx.tenantId, cacheKeys.tenantVersion(ctx.tenantId, tag), ctx.tx, ctx.afterCommit);
  }
}
