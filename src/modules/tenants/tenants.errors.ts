import { DomainError } from '../../infra/errors/domain-error';

export enum TenantsErrorCode {
  EmailTaken = 'email-taken',
  TenantNotFound = 'tenant-not-found',
  StoreNotFound = 'store-not-found',
  StoreIdTaken = 'store-id-taken',
}

export class TenantsError extends DomainError<TenantsErrorCode> {}
