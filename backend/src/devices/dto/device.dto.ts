import type { JsonObject } from '../../database/column-transformers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { EntityIdDto } from '../../database/entity-id.dto';

export class DeviceDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'Thermostat-1' }) @IsOptional() @IsString() name?: string;
  @ApiPropertyOptional({ example: 'default', description: 'device profile name; a new name creates a profile' })
  @IsOptional()
  @IsString()
  type?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() label?: string | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) deviceProfileId?: EntityIdDto | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) customerId?: EntityIdDto | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() deviceData?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) firmwareId?: EntityIdDto | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) softwareId?: EntityIdDto | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}

export class DeviceCredentialsDto {
  @ApiPropertyOptional({ description: '`{"id": "<uuid>"}` of the stored credentials' }) @IsOptional() @IsObject() id?: {
    id?: string;
  } | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) deviceId?: EntityIdDto;
  @ApiProperty({ enum: ['ACCESS_TOKEN', 'MQTT_BASIC', 'X509_CERTIFICATE'] }) @IsOptional() @IsString() credentialsType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() credentialsId?: string | null;
  @ApiPropertyOptional({ description: 'MQTT_BASIC: JSON text {"clientId","userName","password"}; X509_CERTIFICATE: PEM' })
  @IsOptional()
  @IsString()
  credentialsValue?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}

export class DeviceWithCredentialsDto {
  @ApiProperty({ type: DeviceDto }) @IsObject() @ValidateNested() @Type(() => DeviceDto) device: DeviceDto;
  @ApiProperty({ type: DeviceCredentialsDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceCredentialsDto)
  credentials: DeviceCredentialsDto;
}
