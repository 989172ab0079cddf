import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';

/** Body of POST /api/rpc/{oneway|twoway}/{deviceId} (device-api.md §8.6). */
export class RpcRequestDto {
  @ApiProperty({ example: 'setGpio' }) @IsString({ message: 'method is required and must be a string' }) method: string;
  @ApiProperty({ example: { pin: 7, value: 1 }, description: 'any JSON, forwarded to the device as is (use {} for none)' })
  @IsDefined({ message: 'params is required (use {} when the method takes none)' })
  params: unknown;
  @ApiPropertyOptional({ description: 'ms; effective expiry is now + max(5000, timeout)', default: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  timeout?: number;
  @ApiPropertyOptional({ description: 'absolute epoch ms; overrides timeout' }) @IsOptional() @IsInt() expirationTime?: number;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() persistent?: boolean;
  @ApiPropertyOptional({ description: 'persistent delivery retries (at most 5)' }) @IsOptional() @IsInt() @Min(0) retries?: number;
  @ApiPropertyOptional() @IsOptional() additionalInfo?: unknown;
  @ApiPropertyOptional() @IsOptional() @IsUUID() requestUUID?: string;
}
