import { Permission } from '../../infra/auth/permissions';
import { defineResource } from '../../infra/json-api/resource-definition';

export const auditEventResource = defineResource({
  type: 'audit-events',
  description: 'Who did what, when and from where: logins, failed logins, role changes, devices, deletions. Read-only; owners only.',
  storage: 'catalog',
  attributes: {
    occurredAt: { type: 'datetime', readOnly: true, sortable: true, filter: { operators: ['gte', 'lt'] } },
    action: { type: 'string', readOnly: true, filter: true, sortable: true },
    actorType: { type: 'enum', enum: ['user', 'device', 'anonymous'], readOnly: true, filter: true, description: 'anonymous: before a login succeeded.' },
    targetType: { type: 'string', nullable: true, readOnly: true, filter: true },
    target: { type: 'string', nullable: true, readOnly: true, description: 'What the event concerns, as <type>/<id>.' },
    ip: { type: 'string', nullable: true, readOnly: true, sensitive: true, property: 'ipCiphertext', description: 'The client address (stored encrypted).' },
    ipWithheld: {
      type: 'boolean',
      readOnly: true,
      filter: true,
      description: 'true: the event was recorded while encryption was unavailable, so its client address was not kept (ip is null).',
    },
    details: { type: 'string', nullable: true, readOnly: true, description: 'JSON facts about the event; never personal data.' },
    updatedAt: { type: 'datetime', readOnly: true },
  },
  relationships: {
    employee: { type: 'employees', kind: 'to-one', foreignKey: 'employeeId', nullable: true, includable: true, filterable: true },
    device: { type: 'device-tokens', kind: 'to-one', foreignKey: 'deviceId', nullable: true, filterable: true },
  },
  defaultSort: ['-occurredAt'],
  page: { defaultSize: 50, maxSize: 500 },
  feed: true,
  permissions: { read: Permission.AuditRead },
  export: { permission: Permission.AuditRead },
});
