import { SetMetadata } from '@nestjs/common';
import type { Role } from '../tenancy/request-context';

export enum Permission {
  Authenticated = 'authenticated',
  TenantRead = 'tenant:read',
  /**
   * The roster: the people who work in the caller's stores, and the owners, by
   * name, role and whether they are active (a POS terminal picks who is at the
   * till from it). Their e-mail and phone, and filters on them, need
   * `employees:read`. The read permission of `employees`.
   */
  EmployeesReadRoster = 'employees:read-roster',
  /** Everyone the caller's store scope holds, with their contacts (e-mail, phone). */
  EmployeesRead = 'employees:read',
  EmployeesWrite = 'employees:write',
  DevicesManage = 'devices:manage',
  AuditRead = 'audit:read',
  TenantUpdate = 'tenant:update',
  StoresRead = 'stores:read',
  StoresCreate = 'stores:create',
  StoresUpdate = 'stores:update',
  StoresDelete = 'stores:delete',
  CatalogRead = 'catalog:read',
  CatalogWrite = 'catalog:write',
  SuppliersRead = 'suppliers:read',
  SuppliersWrite = 'suppliers:write',
  IntegrationSecretsManage = 'integration-secrets:manage',
  StockRead = 'stock:read',
  StockWrite = 'stock:write',
  StockCostRead = 'stock:cost-read',
  /** Reports (sales, averages, write-offs): no reports module exists yet; its routes will need this. */
  ReportsRead = 'reports:read',
  /**
   * The orders assigned to the caller (a courier's deliveries): the read permission of
   * `orders` and `order-lines`. Alone it shows only those orders (`recordScope`).
   */
  OrdersReadAssigned = 'orders:read-assigned',
  /** Every order of the caller's stores, not only those assigned to them. */
  OrdersRead = 'orders:read',
  /** Take orders, edit them in full, assign couriers, cancel and delete them. */
  OrdersWrite = 'orders:write',
  /**
   * The route permission of PATCH on orders. Without `orders:write` (a courier) it
   * allows only moving the status of an order assigned to the caller to
   * out-for-delivery or delivered; the service refuses anything else (403).
   */
  OrdersDeliver = 'orders:deliver',
  /** The sales of the caller's stores, their lines and payments. */
  SalesRead = 'sales:read',
  /** Sell: record a sale with its lines and payments (stock goes out with it). */
  SalesWrite = 'sales:write',
}

/**
 * The permission matrix: the one place that says which role may do what.
 * The auth guard enforces it on every route; a route that declares neither a
 * permission nor `@Public()` is refused.
 */
export const PERMISSION_MATRIX: Readonly<Record<Permission, readonly Role[]>> = {
  [Permission.Authenticated]: ['owner', 'manager', 'florist', 'courier'],
  [Permission.TenantRead]: ['owner', 'manager', 'florist', 'courier'],
  // Florists sell, and a sale names who sold: a till must be able to list them.
  [Permission.EmployeesReadRoster]: ['owner', 'manager', 'florist'],
  [Permission.EmployeesRead]: ['owner', 'manager'],
  [Permission.EmployeesWrite]: ['owner', 'manager'],
  [Permission.DevicesManage]: ['owner', 'manager'],
  [Permission.AuditRead]: ['owner'],
  [Permission.TenantUpdate]: ['owner'],
  [Permission.StoresRead]: ['owner', 'manager', 'florist', 'courier'],
  [Permission.StoresCreate]: ['owner'],
  [Permission.StoresUpdate]: ['owner', 'manager'],
  [Permission.StoresDelete]: ['owner'],
  // A courier delivers orders: no prices, no stock, no suppliers.
  [Permission.CatalogRead]: ['owner', 'manager', 'florist'],
  [Permission.CatalogWrite]: ['owner', 'manager'],
  [Permission.SuppliersRead]: ['owner', 'manager', 'florist'],
  [Permission.SuppliersWrite]: ['owner', 'manager'],
  [Permission.IntegrationSecretsManage]: ['owner'],
  [Permission.StockRead]: ['owner', 'manager', 'florist'],
  [Permission.StockWrite]: ['owner', 'manager', 'florist'],
  [Permission.StockCostRead]: ['owner', 'manager'],
  [Permission.ReportsRead]: ['owner', 'manager'],
  [Permission.OrdersReadAssigned]: ['owner', 'manager', 'florist', 'courier'],
  [Permission.OrdersRead]: ['owner', 'manager', 'florist'],
  [Permission.OrdersWrite]: ['owner', 'manager', 'florist'],
  [Permission.OrdersDeliver]: ['owner', 'manager', 'florist', 'courier'],
  // A courier delivers what was sold; the till is not theirs.
  [Permission.SalesRead]: ['owner', 'manager', 'florist'],
  [Permission.SalesWrite]: ['owner', 'manager', 'florist'],
};

export const can = (role: Role, permission: Permission): boolean => PERMISSION_MATRIX[permission].includes(role);

export const PERMISSION_KEY = 'bloomdesk:permission';
export const PUBLIC_KEY = 'bloomdesk:public';

/** The permission a route needs. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/** A route anyone may call without a token (signup, login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
