import { IsBoolean, IsDateString, IsIn, IsInt, Max, Min } from 'class-validator';
import { IfPresent } from '../../../infra/validation/validators';
import { MAX_MINOR_UNITS } from '../../inventory/dto/product-create.dto';
import { PAYMENT_METHODS, type PaymentMethod } from '../entities';
import { OrderLineCreateDto } from './order.dto';

const MINOR_UNITS = 'must be an integer number of minor units (kopecks, cents)';

export class SaleCreateDto {
  /** When it was sold, on the device's clock; now by default. */
  @IfPresent()
  @IsDateString({ strict: true }, { message: 'soldAt must be an ISO 8601 date-time such as 2026-03-08T09:00:00Z' })
  soldAt?: string;

  /** Sold while the till was offline: recorded even beyond stock. */
  @IfPresent()
  @IsBoolean()
  offline?: boolean;

  /** Off the whole sale; 0 by default. */
  @IfPresent()
  @IsInt({ message: `discount ${MINOR_UNITS}` })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  discount?: number;
}

/** An order line's quantity and price, and a discount off the line. */
export class SaleLineCreateDto extends OrderLineCreateDto {
  @IfPresent()
  @IsInt({ message: `discount ${MINOR_UNITS}` })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  discount?: number;
}

export class PaymentCreateDto {
  @IsIn(PAYMENT_METHODS)
  method: PaymentMethod;

  @IsInt({ message: `amount ${MINOR_UNITS}` })
  @Min(1)
  @Max(MAX_MINOR_UNITS)
  amount: number;
}
