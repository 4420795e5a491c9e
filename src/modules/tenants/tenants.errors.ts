import { DomainError } from '../../infra/errors/domain-error';

export enum TenantsErrorCode {
  EmailTaken = 'email-taken',
  TenantNotFound = 'tenant-not-found',
  /** The last active owner cannot be demoted or deactivated. */
  LastOwner = 'last-owner',
  /** Nobody deactivates themselves (they would lock themselves out mid-request). */
  SelfDeactivation = 'self-deactivation',
  /** A manager manages florists and couriers of their stores; roles above that are the owner's. */
  RoleNotAllowed = 'role-not-allowed',
  /** A manager assigning a store they do not work in. */
  StoreOutOfScope = 'store-out-of-scope',
  /** A store with stock history, employees or devices cannot be deleted. */
  StoreInUse = 'store-in-use',
  /** A password change whose current password is not the caller's. */
  WrongCurrentPassword = 'wrong-current-password',
  /** The employee a request names for its work may not do it there (or, with a user's token, is someone else). */
  InvalidEmployee = 'invalid-employee',
}

export class TenantsError extends DomainError<TenantsErrorCode> {}
