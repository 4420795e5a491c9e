import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { LessThan } from 'typeorm';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../modules/secrets/encryption.provider';
import { isDuplicateKey } from '../database/database.errors';
import { IdempotencyRecord } from '../database/entities/idempotency-record';
import { ShardRegistry } from '../database/shard-registry';
import type { RequestContext } from '../tenancy/request-context';
import { JsonApiError, JsonApiErrorCode } from './json-api.errors';
import type { JsonApiDocument } from './serializer';

/** What a write answers: its status, its document, and for a create the new resource's URL. */
export interface WriteOutcome {
  status: number;
  document?: JsonApiDocument;
  location?: string;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed?: boolean;
}

/** How long a key protects its write (the design asks for at least a day: devices sync late). */
const KEY_LIFETIME_MS = 48 * 3600 * 1000;
const KEY_FORM = /^[\x21-\x7e]{1,255}$/;

class KeyTaken extends Error {}

/**
 * The edge of every write: one transaction on the tenant's shard, and with an
 * `Idempotency-Key` header, at most one execution per key. The key's record is
 * inserted first in the same transaction as the write, so a concurrent repeat
 * waits on it (MySQL's row lock; the embedded profile runs transactions one at a
 * time) and then replays the committed answer; a rolled-back write leaves no key.
 * The same key with another request is refused with 409.
 */
@Injectable()
export class WriteGate {
  private readonly logger = new Logger(WriteGate.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shards: ShardRegistry,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
  ) {}

  async run(ctx: RequestContext, request: FastifyRequest, work: (txCtx: RequestContext) => Promise<WriteOutcome>): Promise<WriteOutcome> {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return this.shards.transaction(ctx, work);
    if (typeof header !== 'string' || !KEY_FORM.test(header)) {
      throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyInvalid, 'Idempotency-Key must be 1 to 255 visible ASCII characters.', { header: 'Idempotency-Key' });
    }
    // Keyed: a body may hold a credential, and a plain hash of a short one could be guessed back.
    const fingerprint = createHmac('sha256', this.config.auth.tokenSecret).update(`${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.shards.transaction(ctx, async (tx) => {
          await this.claim(tx, header, fingerprint);
          const outcome = await work(tx);
          await this.complete(tx, header, outcome);
          return outcome;
        });
      } catch (error) {
        if (!(error instanceof KeyTaken)) throw error;
        const stored = await this.stored(ctx, header);
        if (stored && stored.expiresAt > new Date()) {
          if (stored.fingerprint !== fingerprint) {
            throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was used with a different request.', { header: 'Idempotency-Key' });
          }
          return this.replay(ctx, stored);
        }
        // Expired (or rolled back meanwhile): the key is free again.
        if (stored) await (await this.shards.manager(ctx)).delete(IdempotencyRecord, { tenantId: ctx.tenantId, key: header, expiresAt: LessThan(new Date()) });
        if (attempt >= 2) throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyInFlight, 'A request with this Idempotency-Key is still being processed.', { header: 'Idempotency-Key' });
      } finally {
        if (Math.random() < 0.01) void this.sweep(ctx);
      }
    }
  }

  private async claim(tx: RequestContext, key: string, fingerprint: string): Promise<void> {
    const now = new Date();
    try {
      await (await this.shards.manager(tx)).insert(IdempotencyRecord, {
        tenantId: tx.tenantId,
        key,
        fingerprint,
        status: 0,
        location: null,
        bodyCiphertext: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + KEY_LIFETIME_MS),
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new KeyTaken();
      throw error;
    }
  }

  private async complete(tx: RequestContext, key: string, outcome: WriteOutcome): Promise<void> {
    const [bodyCiphertext] = outcome.document ? await this.encryption.encrypt(tx.tenantId, [JSON.stringify(outcome.document)]) : [null];
    await (await this.shards.manager(tx)).update(
      IdempotencyRecord,
      { tenantId: tx.tenantId, key },
      { status: outcome.status, location: outcome.location ?? null, bodyCiphertext },
    );
  }

  private async stored(ctx: RequestContext, key: string): Promise<IdempotencyRecord | null> {
    return (await this.shards.manager(ctx)).findOneBy(IdempotencyRecord, { tenantId: ctx.tenantId, key });
  }

  private async replay(ctx: RequestContext, stored: IdempotencyRecord): Promise<WriteOutcome> {
    const [body] = stored.bodyCiphertext ? await this.encryption.decrypt(ctx.tenantId, [stored.bodyCiphertext]) : [undefined];
    return { status: stored.status, location: stored.location ?? undefined, document: body === undefined ? undefined : JSON.parse(body), replayed: true };
  }

  private async sweep(ctx: RequestContext): Promise<void> {
    try {
      await (await this.shards.manager({ shardId: ctx.shardId })).delete(IdempotencyRecord, { tenantId: ctx.tenantId, expiresAt: LessThan(new Date()) });
    } catch {
      this.logger.warn('idempotency sweep failed; it will run again');
    }
  }
}
