import { IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IfPresent } from '../../../infra/validation/validators';
import { TRANSFER_STATUSES, type TransferStatus, WRITE_OFF_REASONS, type WriteOffReason } from '../entities';
import { MAX_MINOR_UNITS } from './product-create.dto';

const POSITIVE = /^(?!0+(\.0+)?$)\d{1,9}(\.\d{1,3})?$/;
const POSITIVE_MESSAGE = 'quantity must be a positive decimal string such as "10" or "0.5" (at most 3 decimals)';
const NON_NEGATIVE = /^\d{1,9}(\.\d{1,3})?$/;
const NON_NEGATIVE_MESSAGE = 'countedQuantity must be a decimal string such as "12" or "0" (at most 3 decimals)';
const WHEN = 'must be an ISO 8601 date-time such as 2026-03-08T09:00:00Z';

class DocumentNote {
  @IsOptional()
  @IsString()
  @Length(0, 500)
  note?: string | null;
}

export class GoodsReceiptCreateDto extends DocumentNote {
  /** When the goods arrived; now by default. Batches expire from here. */
  @IsOptional()
  @IsDateString({ strict: true }, { message: `receivedAt ${WHEN}` })
  receivedAt?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  invoiceNumber?: string | null;
}

export class WriteOffCreateDto extends DocumentNote {
  @IsIn(WRITE_OFF_REASONS)
  reason: WriteOffReason;

  @IsOptional()
  @IsDateString({ strict: true }, { message: `occurredAt ${WHEN}` })
  occurredAt?: string;
}

export class TransferCreateDto extends DocumentNote {
  /** `in-transit` (default): the stock leaves now and arrives when the receiving store accepts. `received`: both at once. */
  @IsOptional()
  @IsIn(TRANSFER_STATUSES)
  status?: TransferStatus;
}

export class TransferUpdateDto {
  /** Accept a transfer in transit: set it to `received`. */
  @IfPresent()
  @IsIn(['received'], { message: 'status can only become received' })
  status?: 'received';
}

export class StockCountCreateDto extends DocumentNote {
  @IsOptional()
  @IsDateString({ strict: true }, { message: `countedAt ${WHEN}` })
  countedAt?: string;
}

export class StockLineCreateDto {
  // Matches alone: it refuses non-strings too, and a second rule would repeat the same error.
  @Matches(POSITIVE, { message: POSITIVE_MESSAGE })
  quantity: string;
}

export class GoodsReceiptLineCreateDto extends StockLineCreateDto {
  @IsInt({ message: 'unitCost must be an integer number of minor units (kopecks, cents)' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  unitCost: number;
}

export class StockCountLineCreateDto {
  @Matches(NON_NEGATIVE, { message: NON_NEGATIVE_MESSAGE })
  countedQuantity: string;
}
