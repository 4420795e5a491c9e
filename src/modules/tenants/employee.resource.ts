import { Permission } from '../../infra/auth/permissions';
import { ROLES } from '../../infra/tenancy/request-context';
import { defineResource } from '../../infra/json-api/resource-definition';
import { EmployeeCreateDto, EmployeeUpdateDto } from './dto/employee.dto';

export const employeeResource = defineResource({
  type: 'employees',
  description: 'The people of a shop who log in. Name, e-mail and phone are stored only encrypted; e-mail and phone are found through blind indexes.',
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
      description: 'The login; unique across Bloomdesk.',
    },
    phone: {
      type: 'string',
      nullable: true,
      sensitive: true,
      property: 'phoneCiphertext',
      filter: true,
      blindIndex: { normalise: 'phone', property: 'phoneIndex', scope: 'tenant' },
      description: 'Read in the shop’s country unless given with +; filter[phone] matches any way of writing it.',
    },
    role: { type: 'enum', enum: ROLES, filter: true, sortable: true },
    active: { type: 'boolean', filter: true, description: 'false: deactivated; their sessions ended.' },
    password: { type: 'string', writeOnly: true },
    createdAt: { type: 'datetime', readOnly: true, sortable: true },
    updatedAt: { type: 'datetime', readOnly: true, sortable: true },
  },
  relationships: {
    stores: { type: 'stores', kind: 'to-many', writable: true, includable: true, description: 'Where they work; owners work everywhere.' },
  },
  defaultSort: ['createdAt'],
  page: { defaultSize: 50, maxSize: 200 },
  permissions: { read: Permission.EmployeesRead, create: Permission.EmployeesWrite, update: Permission.EmployeesWrite },
  createDto: EmployeeCreateDto,
  updateDto: EmployeeUpdateDto,
});
