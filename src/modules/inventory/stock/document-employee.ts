import type { RelationshipDefinition } from '../../../infra/json-api/resource-definition';

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
