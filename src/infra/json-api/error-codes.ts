import { InventoryErrorCode } from '../../modules/inventory/inventory.errors';
import { SalesErrorCode } from '../../modules/sales/sales.errors';
import { SecretsErrorCode } from '../../modules/secrets/secrets.errors';
import { TenantsErrorCode } from '../../modules/tenants/tenants.errors';
import { AuthErrorCode } from '../auth/auth.errors';
import { DatabaseErrorCode } from '../database/database.errors';
import { JsonApiErrorCode } from './json-api.errors';

/** Every code a DomainError may carry. A module adds its enum here and its cases below. */
export type ErrorCode = JsonApiErrorCode | AuthErrorCode | DatabaseErrorCode | SecretsErrorCode | TenantsErrorCode | InventoryErrorCode | SalesErrorCode;

export interface CodeDescription {
  status: number;
  title: string;
}

const d = (status: number, title: string): CodeDescription => ({ status, title });

/** Status and title of each code. Exhaustive: a code without a case fails to compile. */
export function describeCode(code: ErrorCode): CodeDescription {
  switch (code) {
    case JsonApiErrorCode.UnsupportedMediaType:
      return d(415, 'Unsupported media type');
    case JsonApiErrorCode.NotAcceptable:
      return d(406, 'Not acceptable');
    case JsonApiErrorCode.MalformedJson:
      return d(400, 'Malformed JSON');
    case JsonApiErrorCode.InvalidDocument:
      return d(400, 'Invalid document');
    case JsonApiErrorCode.InvalidQueryParameter:
      return d(400, 'Invalid query parameter');
    case JsonApiErrorCode.UnknownAttribute:
      return d(400, 'Unknown attribute');
    case JsonApiErrorCode.UnknownRelationship:
      return d(400, 'Unknown relationship');
    case JsonApiErrorCode.ReadOnlyAttribute:
      return d(403, 'Read-only attribute');
    case JsonApiErrorCode.ReadOnlyRelationship:
      return d(403, 'Read-only relationship');
    case JsonApiErrorCode.ActionNotSupported:
      return d(403, 'Not supported');
    case JsonApiErrorCode.IdTaken:
      return d(409, 'Id already exists');
    case JsonApiErrorCode.ResourceNotFound:
      return d(404, 'Not found');
    case JsonApiErrorCode.RelatedNotFound:
      return d(404, 'Related resource not found');
    case JsonApiErrorCode.IdempotencyKeyInvalid:
      return d(400, 'Invalid Idempotency-Key');
    case JsonApiErrorCode.IdempotencyKeyReused:
      return d(409, 'Idempotency-Key reused');
    case JsonApiErrorCode.IdempotencyKeyInFlight:
      return d(409, 'Request in progress');
    case JsonApiErrorCode.IdempotencyKeyNotSupported:
      return d(400, 'Idempotency-Key not supported');
    case JsonApiErrorCode.ClientIdNotSupported:
      return d(403, 'Client-generated id not supported');
    case JsonApiErrorCode.ValidationFailed:
      return d(422, 'Invalid attribute');
    case JsonApiErrorCode.TypeConflict:
      return d(409, 'Type conflict');
    case JsonApiErrorCode.IdConflict:
      return d(409, 'Id conflict');
    case JsonApiErrorCode.MalformedUrl:
      return d(400, 'Malformed URL');
    case JsonApiErrorCode.RouteNotFound:
      return d(404, 'Not found');
    case JsonApiErrorCode.MethodNotAllowed:
      return d(405, 'Method not allowed');
    case JsonApiErrorCode.PayloadTooLarge:
      return d(413, 'Payload too large');
    case JsonApiErrorCode.TooManyRequests:
      return d(429, 'Too many requests');
    case JsonApiErrorCode.ExportTooLarge:
      return d(422, 'Export too large');
    case JsonApiErrorCode.ExportNotRecorded:
      return d(503, 'Export not recorded');
    case AuthErrorCode.MissingToken:
      return d(401, 'Authentication required');
    case AuthErrorCode.InvalidToken:
      return d(401, 'Invalid token');
    case AuthErrorCode.ExpiredToken:
      return d(401, 'Token expired');
    case AuthErrorCode.SessionRevoked:
      return d(401, 'Session ended');
    case AuthErrorCode.InvalidCredentials:
      return d(401, 'Invalid credentials');
    case AuthErrorCode.InvalidRefreshToken:
      return d(401, 'Invalid refresh token');
    case AuthErrorCode.Forbidden:
      return d(403, 'Forbidden');
    case AuthErrorCode.RateLimited:
      return d(429, 'Too many attempts');
    case AuthErrorCode.TenantMoving:
      return d(503, 'Shop data moving');
    case DatabaseErrorCode.ShardUnavailable:
      return d(503, 'Shop data unavailable');
    case DatabaseErrorCode.CatalogUnavailable:
      return d(503, 'Service unavailable');
    case DatabaseErrorCode.TryAgain:
      return d(503, 'Try again');
    case SecretsErrorCode.Unavailable:
      return d(503, 'Encryption service unavailable');
    case SecretsErrorCode.CiphertextInvalid:
      return d(500, 'Stored data cannot be decrypted');
    case SecretsErrorCode.IntegrationNameTaken:
      return d(409, 'Name already used');
    case TenantsErrorCode.EmailTaken:
      return d(409, 'E-mail already registered');
    case TenantsErrorCode.TenantNotFound:
      return d(404, 'Not found');
    case TenantsErrorCode.LastOwner:
      return d(409, 'Last owner');
    case TenantsErrorCode.SelfDeactivation:
      return d(409, 'Cannot deactivate yourself');
    case TenantsErrorCode.RoleNotAllowed:
      return d(403, 'Role not allowed');
    case TenantsErrorCode.StoreOutOfScope:
      return d(403, 'Store out of scope');
    case TenantsErrorCode.StoreInUse:
      return d(409, 'Store in use');
    case TenantsErrorCode.WrongCurrentPassword:
      return d(422, 'Current password wrong');
    case TenantsErrorCode.InvalidEmployee:
      return d(422, 'Invalid employee');
    case InventoryErrorCode.InvalidProduct:
      return d(422, 'Invalid product');
    case InventoryErrorCode.SkuTaken:
      return d(409, 'SKU already used');
    case InventoryErrorCode.ProductInUse:
      return d(409, 'Product in use');
    case InventoryErrorCode.ProductArchived:
      return d(422, 'Product archived');
    case InventoryErrorCode.NotAComposition:
      return d(422, 'Not a composition');
    case InventoryErrorCode.RecipeCycle:
      return d(422, 'Recipe contains itself');
    case InventoryErrorCode.RecipeTooDeep:
      return d(422, 'Recipe nested too deep');
    case InventoryErrorCode.DuplicateComponent:
      return d(409, 'Component already in recipe');
    case InventoryErrorCode.FractionalQuantity:
      return d(422, 'Whole number required');
    case InventoryErrorCode.InsufficientStock:
      return d(409, 'Insufficient stock');
    case InventoryErrorCode.NotStockTracked:
      return d(422, 'Stock not tracked');
    case InventoryErrorCode.SameStore:
      return d(422, 'Same store');
    case InventoryErrorCode.TransferNotInTransit:
      return d(409, 'Transfer not in transit');
    case InventoryErrorCode.ReceivingStoreOnly:
      return d(403, 'Receiving store only');
    case InventoryErrorCode.DocumentClosed:
      return d(409, 'Document closed');
    case InventoryErrorCode.InvalidStockDocument:
      return d(422, 'Invalid stock document');
    case SalesErrorCode.InvalidStatusTransition:
      return d(422, 'Status change not allowed');
    case SalesErrorCode.InvalidCourier:
      return d(422, 'Not a courier of the store');
    case SalesErrorCode.OrderNotDeletable:
      return d(409, 'Order cannot be deleted');
    case SalesErrorCode.OrderClosed:
      return d(409, 'Order closed');
    case SalesErrorCode.CourierNotAllowed:
      return d(403, 'Not allowed for couriers');
    case SalesErrorCode.SaleClosed:
      return d(409, 'Sale closed');
    case SalesErrorCode.SaleWithoutLines:
      return d(422, 'Sale without lines');
    case SalesErrorCode.PaymentsDoNotMatch:
      return d(422, 'Payments do not match the total');
    case SalesErrorCode.DiscountTooLarge:
      return d(422, 'Discount too large');
    default: {
      const unmapped: never = code;
      throw new Error(`Unmapped error code ${String(unmapped)}`);
    }
  }
}
