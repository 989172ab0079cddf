import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { JsonObject } from '../../database/column-transformers';
import { EntityIdDto } from '../../database/entity-id.dto';

/**
 * Body of POST /api/alarm. Presence and enum checks happen in the service so that the answers carry
 * ThingsBoard's sentences (rest-api.md §3.3); here only the JSON types are checked.
 */
export class AlarmDto {
  @ApiPropertyOptional({ type: EntityIdDto, description: 'present: update that alarm; absent: create or update the active one' })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntityIdDto)
  id?: EntityIdDto | null;
  @ApiProperty({ example: 'High Temperature' }) @IsOptional() @IsString() type?: string | null;
  @ApiProperty({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) originator?: EntityIdDto | null;
  @ApiProperty({ enum: ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'] }) @IsOptional() @IsString() severity?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() acknowledged?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() cleared?: boolean;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) assigneeId?: EntityIdDto | null;
  @ApiPropertyOptional({ description: 'epoch ms; 0 or absent: now' }) @IsOptional() @IsInt() startTs?: number;
  @ApiPropertyOptional({ description: 'epoch ms; 0 or absent: startTs' }) @IsOptional() @IsInt() endTs?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() ackTs?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() clearTs?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() assignTs?: number;
  @ApiPropertyOptional({ description: 'any JSON' }) @IsOptional() details?: unknown;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() propagate?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() propagateToOwner?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() propagateToTenant?: boolean;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) propagateRelationTypes?: string[] | null;
}

export class AlarmCommentDto {
  @ApiPropertyOptional({ description: '`{"id": "<uuid>"}` of your own comment to edit it' }) @IsOptional() @IsObject() id?: {
    id?: string;
  } | null;
  @ApiProperty({ example: { text: 'checked on site' } }) @IsOptional() @IsObject() comment?: JsonObject | null;
}
