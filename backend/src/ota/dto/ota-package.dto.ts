import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { JsonObject } from '../../database/column-transformers';
import { EntityIdDto } from '../../database/entity-id.dto';

/**
 * ThingsBoard's SaveOtaPackageInfoRequest. Clients send back whole infos, so read-only members (`hasData`,
 * `checksum` …) are accepted and ignored.
 */
export class SaveOtaPackageInfoDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'tracker' }) @IsOptional() @IsString() title?: string;
  @ApiProperty({ example: '1.1' }) @IsOptional() @IsString() version?: string;
  @ApiPropertyOptional({ example: 'tracker 1.1' }) @IsOptional() @IsString() tag?: string | null;
  @ApiProperty({ enum: ['FIRMWARE', 'SOFTWARE'] }) @IsOptional() @IsString() type?: string;
  @ApiProperty({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) deviceProfileId?: EntityIdDto | null;
  @ApiPropertyOptional({ description: 'set for a package devices download from elsewhere (no binary upload)' })
  @IsOptional()
  @IsString()
  url?: string | null;
  @ApiPropertyOptional({ description: 'true: this is a URL package and `url` must be set' }) @IsOptional() @IsBoolean() usesUrl?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
}
