import { Permission } from '../../infra/auth/permissions';
import { ROLES } from '../../infra/tenancy/request-context';
import { defineResource } from '../../infra/json-api/resource-definition';
import { EmployeeCreateDto, EmployeeUpdateDto } from './dto/employee.dto';

export const employeeResource = defineResource({
  type: 'employees',
  description:
    'The people of a shop who log in. Adding one invites them: they choose their own password with the invite token. ' +
    'Name, e-mail and phone are stored only encrypted; e-mail and phone are found through blind indexes. ' +
    'A florist (and a POS terminal) reads the roster: the people of their stores and the owners, by name and role, without e-mail or phone.',
  storage: 'catalog',
  attributes: {
    name: { type: 'string', sensitive: true, property: 'nameCiphertext' },
    email: {
      type: 'string',
      sensitive: true,
      property: 'emailCiphertext',
      filter: true,
      // filter[email] uses the tenant-scoped index; the login's global one (emailIndex) is the service's.
      blindIndex: { normalise: 'email', property: 'emailTenantIndex', scope: 'tenant' },
      readPermission: Permission.EmployeesRead,
      description: 'The login; unique across Bloomdesk.',
    },
    phone: {
      type: 'string',
      nullable: true,
      sensitive: true,
      property: 'phoneCiphertext',
      filter: true,
      blindIndex: { normalise: 'phone', property: 'phoneIndex', scope: 'tenant' },
      readPermission: Permission.EmployeesRead,
      description: 'Read in the shop’s country unless given with +; filter[phone] matches any way of writing it.',
    },
    role: { type: 'enum', enum: ROLES, filter: true, sortable: true },
    active: { type: 'boolean', filter: true, description: 'false: deactivated; their sessions ended.' },
    resetPassword: {
      type: 'boolean',
      writeOnly: true,
      description: 'PATCH with true: the password stops working, every session ends, and the answer carries a new inviteToken.',
    },
    inviteToken: {
      type: 'string',
      nullable: true,
      readOnly: true,
      readPermission: Permission.EmployeesWrite,
      description: 'Only in the answer that creates the employee or resets the password: hand it to them; they set their password with POST /api/v1/invite-acceptances.',
    },
    inviteExpiresAt: { type: 'datetime', nullable: true, readOnly: true, readPermission: Permission.EmployeesRead, description: 'When that inviteToken stops working (7 days).' },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    stores: { type: 'stores', kind: 'to-many', writable: true, includable: true, description: 'Where they work; owners work everywhere.' },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 50, maxSize: 200 },
  permissions: { read: Permission.EmployeesReadRoster, create: Permission.EmployeesWrite, update: Permission.EmployeesWrite },
  createDto: EmployeeCreateDto,
  updateDto: EmployeeUpdateDto,
});
