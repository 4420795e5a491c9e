import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateBy } from 'class-validator';
import { IfPresent, IsText } from '../../../infra/validation/validators';
import { MAX_MINOR_UNITS } from '../../inventory/dto/product-create.dto';
import { ORDER_STATUSES, type OrderStatus } from '../entities';
import { INITIAL_STATUSES } from '../order-status';

const PHONE = /^\+?[\d\s()-]{5,32}$/;
const PHONE_MESSAGE = 'recipientPhone must be a phone number such as +7 916 123-45-67';
const SLOT = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const POSITIVE = /^(?!0+(\.0+)?$)\d{1,9}(\.\d{1,3})?$/;

/** A calendar date that exists, written YYYY-MM-DD (2026-02-30 does not). */
const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
      defaultMessage: () => '$property must be a calendar date such as 2026-03-08',
    },
  });

/** "HH:MM-HH:MM" on one day, ending after it starts. */
const IsDeliverySlot = () =>
  ValidateBy({
    name: 'isDeliverySlot',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && SLOT.test(value) && value.slice(0, 5) < value.slice(6),
      defaultMessage: () => '$property must be a time window on one day such as 10:00-12:00 (24-hour clock, ending after it starts)',
    },
  });

export class OrderCreateDto {
  @IsCalendarDate()
  deliveryDate: string;

  @IsDeliverySlot()
  deliverySlot: string;

  @IsText(200)
  recipientName: string;

  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  recipientPhone: string;

  @IsText(500)
  address: string;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  cardMessage?: string | null;

  /** `new` by default; an order taken with payment in hand may start `confirmed`. */
  @IsOptional()
  @IsIn(INITIAL_STATUSES, { message: `a new order's status must be one of: ${INITIAL_STATUSES.join(', ')}` })
  status?: OrderStatus;
}

export class OrderUpdateDto {
  @IfPresent()
  @IsCalendarDate()
  deliveryDate?: string;

  @IfPresent()
  @IsDeliverySlot()
  deliverySlot?: string;

  @IfPresent()
  @IsText(200)
  recipientName?: string;

  @IfPresent()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  recipientPhone?: string;

  @IfPresent()
  @IsText(500)
  address?: string;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  cardMessage?: string | null;

  @IfPresent()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

export class OrderLineCreateDto {
  // Matches alone: it refuses non-strings too, and a second rule would repeat the same error.
  @Matches(POSITIVE, { message: 'quantity must be a positive decimal string such as "3" or "0.5" (at most 3 decimals)' })
  quantity: string;

  /** The product's price by default. */
  @IsOptional()
  @IsInt({ message: 'unitPrice must be an integer number of minor units (kopecks, cents)' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  unitPrice?: number;
}
