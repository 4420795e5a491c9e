import { IsString, Length, Matches } from 'class-validator';

export class DeviceTokenCreateDto {
  /** What the device is, for people: "Till 1", "Courier tablet". */
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;
}
