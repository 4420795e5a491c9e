import { DomainError } from '../../infra/errors/domain-error';

export enum TenantsErrorCode {
  EmailTaken = 'email-taken',
  TenantNotFound = 'tenant-not-found',
}

export class TenantsError extends DomainError<TenantsErrorCode> {}
