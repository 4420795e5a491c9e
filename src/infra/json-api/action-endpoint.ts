import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogTxContext } from '../database/catalog-database';
import type { RequestContext } from '../tenancy/request-context';
import { reply } from './json-api.reply';
import { type ResourceDefinition, resourcePath } from './resource-definition';
import { parseResourceDocument } from './resource-document';
import type { Identified } from './resource-handler';
import { refuseQuery } from './resource-query';
import { API_BASE, type JsonApiDocument, JsonApiSerializer } from './serializer';
import { WriteGate, refuseIdempotencyKey } from './write-gate';

/** What an action route takes and answers; declared once beside its controller. */
export interface ActionSpec<A> {
  /** The type of the posted document; the answer's too, unless `answer` names another. */
  def: ResourceDefinition;
  /** The resource the action creates and answers with, at its own URL (`Location`, `links.self`). */
  answer?: ResourceDefinition;
  /** Why the route takes none of JSON:API's query parameters (the 400's detail). */
  whole: string;
  /**
   * Why an Idempotency-Key is refused (400, never silently ignored), or, for a
   * public write that keeps one, whom its key belongs to (`WriteGate.runPublic`).
   */
  key: { refuse: string } | { publicWriter: (attributes: A) => string };
  /** Whom the answer is rendered for, when not the caller (a signup's answer is its owner's). */
  viewer?: Pick<RequestContext, 'role'>;
}

/**
 * The JSON:API side of the routes that are an action rather than a collection
 * (log in, sign up, change a password, accept an invite): query refusal, the
 * Idempotency-Key policy, the document parsed against its definition, and the
 * 201 with the resource the action made. Their controllers only call a service.
 *
 * @example
 * return this.actions.create(req, res, SIGNUP, (attributes, tx) => this.signups.signup(attributes, tx));
 */
@Injectable()
export class ActionEndpoint {
  constructor(
    private readonly serializer: JsonApiSerializer,
    private readonly writes: WriteGate,
  ) {}

  /** Runs `action` on the posted document's attributes (in a catalog transaction when the route keeps keys) and answers 201. */
  async create<A, R extends Identified>(
    req: FastifyRequest,
    res: FastifyReply,
    spec: ActionSpec<A>,
    action: (attributes: A, tx?: CatalogTxContext) => Promise<R>,
  ): Promise<JsonApiDocument | undefined> {
    this.refuseExtras(req, spec);
    const attributes = parseResourceDocument(spec.def, req.body, 'create').attributes as A;
    const answer = async (tx?: CatalogTxContext) => {
      const record = await action(attributes, tx);
      const def = spec.answer ?? spec.def;
      const location = spec.answer && `${API_BASE}/${resourcePath(def)}/${record.id}`;
      const data = this.serializer.resourceObject(spec.viewer ?? req.ctx, def, record);
      return { status: 201, location, document: this.serializer.document({ links: { self: location ?? `${API_BASE}/${resourcePath(def)}` }, data }) };
    };
    return reply(req, res, await ('refuse' in spec.key ? answer() : this.writes.runPublic(req, spec.key.publicWriter(attributes), answer)));
  }

  /** Runs `action` for a request without a document, which keeps no key (its route answers 204: logging out). */
  async act(req: FastifyRequest, spec: { whole: string; key: { refuse: string } }, action: () => Promise<void>): Promise<void> {
    this.refuseExtras(req, spec);
    return action();
  }

  private refuseExtras(req: FastifyRequest, spec: Pick<ActionSpec<never>, 'whole' | 'key'>): void {
    refuseQuery((req.query ?? {}) as Record<string, unknown>, spec.whole);
    if ('refuse' in spec.key) refuseIdempotencyKey(req, spec.key.refuse);
  }
}
