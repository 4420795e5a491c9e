import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../../infra/tenancy/request-context';
import { InventoryError, InventoryErrorCode } from '../inventory.errors';

// Documents created in each open transaction: a document's lines are created in
// the same request (atomic operations with `lid`s), so once it commits it is closed.
const created = new WeakMap<EntityManager, Set<string>>();

export function openDocument(ctx: RequestContext, id: string): void {
  if (!ctx.tx) return;
  const ids = created.get(ctx.tx) ?? new Set<string>();
  created.set(ctx.tx, ids.add(id));
}

/** Refuses a line for a document that was not created in this request (409 `document-closed`). */
export function checkOpen(ctx: RequestContext, type: string, id: string, relationship: string): void {
  if (ctx.tx && created.get(ctx.tx)?.has(id)) return;
  throw new InventoryError(
    InventoryErrorCode.DocumentClosed,
    `Lines are added in the request that creates their ${type} document: send the document and its lines in one atomic operations request.`,
    { pointer: `/data/relationships/${relationship}/data` },
  );
}
