import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** Body of POST /api/customer/device/{deviceName}/claim (device-api.md §8.7); the body itself is optional. */
export class ClaimRequestDto {
  @ApiPropertyOptional({ description: 'the secret the device registered; absent or empty matches only an empty secret' })
  @IsOptional()
  @IsString({ message: 'secretKey must be a string: the secret the device sent with its claim request' })
  secretKey?: string | null;
}
