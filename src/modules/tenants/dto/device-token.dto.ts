import { IsText } from '../../../infra/validation/validators';

export class DeviceTokenCreateDto {
  /** What the device is, for people: "Till 1", "Courier tablet". */
  @IsText(120)
  name: string;
}
