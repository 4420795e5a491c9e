import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { type EntityManager, LessThan } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ENCRYPTION_PROVIDER, type EncryptionProvider } from '../../modules/secrets/encryption.provider';
import { CatalogDatabase, type CatalogTxContext } from '../database/catalog-database';
import { isDuplicateKey } from '../database/database.errors';
import { IdempotencyRecord } from '../database/entities/idempotency-record';
import { ShardRegistry } from '../database/shard-registry';
import type { RequestContext } from '../tenancy/request-context';
import { JsonApiError, JsonApiErrorCode } from './json-api.errors';
import { SensitiveFields } from './sensitive-fields';
import type { JsonApiDocument } from './serializer';

/** What a write answers: its status, its document, and for a create the new resource's URL. */
export interface WriteOutcome {
  status: number;
  document?: JsonApiDocument;
  location?: string;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed?: boolean;
}

/** Where a write's rows, its transaction and its Idempotency-Key record live. */
export type WriteStorage = 'shard' | 'catalog';

/** How long a key protects its write (the design asks for at least a day: devices sync late). */
export const KEY_LIFETIME_MS = 48 * 3600 * 1000;
const KEY_FORM = /^[\x21-\x7e]{1,255}$/;
/**
 * Public writes (signup) have no tenant and no user yet: their records are kept
 * under the nil UUID as the tenant, which no tenant can have (ids are UUIDv7). It
 * is also their encryption context, as `tenant_id` is every record's. Their user
 * is what the sender names itself by (`publicWriter`).
 */
export const PUBLIC_WRITER = { tenantId: '00000000-0000-0000-0000-000000000000' } as const;

type KeyOwner = { readonly tenantId: string; readonly userId: string };
type RecordId = KeyOwner & { key: string };

/** A database a write runs in: its transaction, and the manager inside it. */
interface WriteStore<C> {
  transaction<T>(ctx: C, work: (txCtx: C) => Promise<T>): Promise<T>;
  manager(ctx: C): Promise<EntityManager> | EntityManager;
}

class KeyTaken extends Error {}

/** The Idempotency-Key of a request: undefined without one, 400 for a malformed one. */
function keyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_FORM.test(header)) {
    throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyInvalid, 'Idempotency-Key must be 1 to 255 visible ASCII characters.', { header: 'Idempotency-Key' });
  }
  return header;
}

/** For writes whose answer must never be replayed from storage (a login's tokens): an Idempotency-Key is refused, not silently ignored. */
export function refuseIdempotencyKey(request: FastifyRequest, why: string): void {
  if (request.headers['idempotency-key'] !== undefined) {
    throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyNotSupported, `Idempotency-Key is not accepted here: ${why}`, { header: 'Idempotency-Key' });
  }
}

/**
 * The edge of every write: one transaction, on the tenant's shard or (for
 * catalog-stored resources and signup) on the catalog, and with an
 * `Idempotency-Key` header, at most one execution per key. The key's record is
 * inserted first in that same transaction, so a concurrent repeat waits on it
 * (MySQL's row lock; the embedded profile runs transactions one at a time) and
 * then replays the committed answer; a rolled-back write leaves no key. A key
 * belongs to its tenant and to the user (or device) who sent it (for a signup,
 * to the e-mail it signs up): another sender's repeat runs as their own request
 * and never sees this answer. The same key with another request (method, URL
 * with its query, body) is refused with 409.
 */
@Injectable()
export class WriteGate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shards: ShardRegistry,
    private readonly catalog: CatalogDatabase,
    @Inject(ENCRYPTION_PROVIDER) private readonly encryption: EncryptionProvider,
    private readonly sensitive: SensitiveFields,
  ) {}

  /** A write of the caller's: `work` runs in a transaction of the database `storage` names, and its context carries it. */
  run(ctx: RequestContext, request: FastifyRequest, work: (txCtx: RequestContext) => Promise<WriteOutcome>, storage: WriteStorage = 'shard'): Promise<WriteOutcome> {
    const store: WriteStore<RequestContext> =
      storage === 'catalog'
        ? { transaction: (c, w) => this.catalog.transactional(c, w), manager: (c) => this.catalog.managerFor(c) }
        : { transaction: (c, w) => this.shards.transaction(c, w), manager: (c) => this.shards.manager(c) };
    return this.execute(store, ctx, ctx, request, work);
  }

  /**
   * A public write (signup): in a catalog transaction, its key kept under
   * `PUBLIC_WRITER`'s tenant and the sender's `identity` (for a signup, the owner
   * e-mail it signs up), so unrelated senders who happen to choose the same key
   * never meet: only the same identity with the same key is a repeat (or, with
   * another request, 409).
   */
  runPublic(request: FastifyRequest, identity: string, work: (txCtx: CatalogTxContext) => Promise<WriteOutcome>): Promise<WriteOutcome> {
    const store: WriteStore<CatalogTxContext> = { transaction: (c, w) => this.catalog.transactional(c, w), manager: (c) => this.catalog.managerFor(c) };
    return this.execute(store, {}, { tenantId: PUBLIC_WRITER.tenantId, userId: this.publicWriter(identity) }, request, work);
  }

  /**
   * The user id of a public sender: a keyed hash of its identity (never the
   * identity itself: it is personal data), shaped as a UUIDv8, RFC 9562's
   * version for ids of one's own making.
   */
  private publicWriter(identity: string): string {
    const hex = createHmac('sha256', this.config.auth.tokenSecret).update(`idempotency public writer\n${identity.trim().toLowerCase()}`).digest('hex');
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  private async execute<C>(store: WriteStore<C>, ctx: C, owner: KeyOwner, request: FastifyRequest, work: (txCtx: C) => Promise<WriteOutcome>): Promise<WriteOutcome> {
    const key = keyOf(request);
    if (key === undefined) return store.transaction(ctx, work);
    const id: RecordId = { tenantId: owner.tenantId, userId: owner.userId, key };
    // Keyed: a body may hold a credential, and a plain hash of a short one could be guessed back.
    // The query is part of the request: it shapes the answer (include, fields).
    const fingerprint = createHmac('sha256', this.config.auth.tokenSecret).update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        return await store.transaction(ctx, async (txCtx) => {
          await this.claim(await store.manager(txCtx), id, fingerprint);
          const outcome = await work(txCtx);
          await this.complete(await store.manager(txCtx), id, outcome);
          return outcome;
        });
      } catch (error) {
        if (!(error instanceof KeyTaken)) throw error;
        const em = await store.manager(ctx);
        const stored = await em.findOneBy(IdempotencyRecord, id);
        if (stored && stored.expiresAt > new Date()) {
          if (stored.fingerprint !== fingerprint) {
            throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was used with a different request.', { header: 'Idempotency-Key' });
          }
          return this.replay(stored);
        }
        // Expired (or rolled back meanwhile): the key is free again.
        if (stored) await em.delete(IdempotencyRecord, { ...id, expiresAt: LessThan(new Date()) });
        if (attempt >= 2) throw new JsonApiError(JsonApiErrorCode.IdempotencyKeyInFlight, 'A request with this Idempotency-Key is still being processed.', { header: 'Idempotency-Key' });
      }
    }
  }

  private async claim(em: EntityManager, id: RecordId, fingerprint: string): Promise<void> {
    const now = new Date();
    try {
      await em.insert(IdempotencyRecord, { ...id, fingerprint, status: 0, location: null, bodyCiphertext: null, createdAt: now, expiresAt: new Date(now.getTime() + KEY_LIFETIME_MS) });
    } catch (error) {
      if (isDuplicateKey(error)) throw new KeyTaken();
      throw error;
    }
  }

  private async complete(em: EntityManager, id: RecordId, outcome: WriteOutcome): Promise<void> {
    const [bodyCiphertext] = outcome.document ? await this.encryption.encrypt(id.tenantId, [JSON.stringify(outcome.document)]) : [null];
    await em.update(IdempotencyRecord, { tenantId: id.tenantId, userId: id.userId, key: id.key }, { status: outcome.status, location: outcome.location ?? null, bodyCiphertext });
  }

  /** A stored answer that does not decrypt is named by its key (the client's own; never the ciphertext) and counted as a resource's value is. */
  private async replay(stored: IdempotencyRecord): Promise<WriteOutcome> {
    const owner = { type: 'idempotency-records', id: stored.key, attribute: 'response' };
    const [body] = stored.bodyCiphertext ? await this.sensitive.decryptStored(stored.tenantId, [stored.bodyCiphertext], () => owner) : [undefined];
    return { status: stored.status, location: stored.location ?? undefined, document: body === undefined ? undefined : JSON.parse(body), replayed: true };
  }
}
