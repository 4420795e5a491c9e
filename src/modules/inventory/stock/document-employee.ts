import { Injectable } from '@nestjs/common';
import { Permission, can } from '../../../infra/auth/permissions';
import { CatalogDatabase } from '../../../infra/database/catalog-database';
import type { RelationshipDefinition } from '../../../infra/json-api/resource-definition';
import type { RequestContext } from '../../../infra/tenancy/request-context';
import { User, UserStore } from '../../tenants/entities';
import { InventoryError, InventoryErrorCode } from '../inventory.errors';

/** The `employee` relationship of every stock document: who made it. */
export const documentEmployee = {
  type: 'employees',
  kind: 'to-one',
  foreignKey: 'employeeId',
  writable: true,
  nullable: true,
  includable: true,
  description:
    'Who made it. With a user’s token, the caller (naming anyone else is 422). A POS terminal’s device token must name them: ' +
    'an active employee whose role writes stock and who works in the document’s store (else 422; someone the terminal cannot see is 404).',
} as const satisfies RelationshipDefinition;

/**
 * Who makes a stock document. A user's token is a person; a device token is a
 * shared terminal, so the florist at it names themselves, and the document, its
 * movements and the write-off reports carry a person either way. People live in
 * the catalog; this reads it outside the shard transaction (the two cannot share
 * one), as the courier check of orders does.
 */
@Injectable()
export class DocumentEmployees {
  constructor(private readonly catalog: CatalogDatabase) {}

  /** The employee of a document in `storeId`, given what the request named in `relationship` (422 pointing at it otherwise). */
  async of(ctx: RequestContext, named: string | null | undefined, storeId: string, relationship = 'employee'): Promise<string> {
    const refuse = (detail: string, pointer = `/data/relationships/${relationship}/data`) => new InventoryError(InventoryErrorCode.InvalidStockDocument, detail, { pointer });
    if (ctx.actor === 'user') {
      if (named && named !== ctx.userId) throw refuse('With your own login you make it yourself: name yourself or no one.');
      return ctx.userId;
    }
    // A member left out is pointed at through its parent, as the engine does for a required relationship.
    if (!named) throw refuse(`A POS terminal names the employee who makes it (relationship "${relationship}").`, named === undefined ? '/data/relationships' : undefined);
    const em = this.catalog.managerFor(ctx);
    const user = await em.findOneBy(User, { tenantId: ctx.tenantId, id: named });
    // The engine has already answered 404 for an id the terminal cannot see; this is a race with a deletion.
    if (!user) throw refuse(`No employee ${named} in this shop.`);
    if (!user.active) throw refuse('That employee is deactivated.');
    if (!can(user.role, Permission.StockWrite)) throw refuse(`A ${user.role} does not write stock.`);
    if (user.role !== 'owner' && !(await em.existsBy(UserStore, { tenantId: ctx.tenantId, userId: named, storeId }))) throw refuse('That employee does not work in this store.');
    return named;
  }
}
