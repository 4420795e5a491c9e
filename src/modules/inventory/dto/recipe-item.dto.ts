import { Matches } from 'class-validator';
import { IfPresent } from '../../../infra/validation/validators';

const QUANTITY = /^(?!0+(\.0+)?$)\d{1,9}(\.\d{1,3})?$/;
// Matches alone: it refuses non-strings too; a second rule with the same message would repeat the error.
const MESSAGE = 'quantity must be a positive decimal string such as "3" or "0.5" (at most 3 decimals)';

export class RecipeItemCreateDto {
  @Matches(QUANTITY, { message: MESSAGE })
  quantity: string;
}

export class RecipeItemUpdateDto {
  @IfPresent()
  @Matches(QUANTITY, { message: MESSAGE })
  quantity?: string;
}
