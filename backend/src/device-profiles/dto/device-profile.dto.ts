import type { JsonObject } from '../../database/column-transformers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { EntityIdDto } from '../../database/entity-id.dto';
import { PROVISION_TYPES, TRANSPORT_TYPES } from '../device-profile.entity';

export class DeviceProfileDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'Thermostat' }) @IsOptional() @IsString() @MaxLength(255) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() description?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() image?: string | null;
  @ApiProperty({ example: 'DEFAULT' }) @IsOptional() @IsIn(['DEFAULT'], { message: 'Device profile type must be DEFAULT' }) type?: string;
  @ApiProperty({ enum: TRANSPORT_TYPES })
  @IsOptional()
  @IsIn(TRANSPORT_TYPES, { message: `transportType must be one of ${TRANSPORT_TYPES.join(', ')}` })
  transportType?: string;
  @ApiPropertyOptional({ enum: PROVISION_TYPES })
  @IsOptional()
  @IsIn(PROVISION_TYPES, { message: `provisionType must be one of ${PROVISION_TYPES.join(', ')}` })
  provisionType?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) provisionDeviceKey?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() default?: boolean;
  @ApiPropertyOptional({ type: EntityIdDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntityIdDto)
  defaultRuleChainId?: EntityIdDto | null;
  @ApiPropertyOptional({ type: EntityIdDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntityIdDto)
  defaultDashboardId?: EntityIdDto | null;
  @ApiPropertyOptional() @IsOptional() @IsString() defaultQueueName?: string | null;
  @ApiPropertyOptional({ type: EntityIdDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntityIdDto)
  defaultEdgeRuleChainId?: EntityIdDto | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) firmwareId?: EntityIdDto | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) softwareId?: EntityIdDto | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() profileData?: JsonObject;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}
