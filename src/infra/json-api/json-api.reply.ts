import type { FastifyReply, FastifyRequest } from 'fastify';
import { responseContentType } from './media-type';
import type { JsonApiDocument } from './serializer';
import type { WriteOutcome } from './write-gate';

/**
 * Sets what a JSON:API response carries besides its body: the status, the media
 * type with the extensions and profiles actually applied, `Location` for a
 * created resource, and `Idempotency-Replayed` for a stored answer.
 */
export function reply(
  request: FastifyRequest,
  response: FastifyReply,
  outcome: WriteOutcome & { profile?: string[]; ext?: string[] },
): JsonApiDocument | undefined {
  response.status(outcome.status);
  if (outcome.location) response.header('location', outcome.location);
  if (outcome.replayed) response.header('idempotency-replayed', 'true');
  if (outcome.document) response.header('content-type', responseContentType(outcome.ext ?? [], outcome.profile ?? []));
  return outcome.document;
}

export type { FastifyReply, FastifyRequest };
