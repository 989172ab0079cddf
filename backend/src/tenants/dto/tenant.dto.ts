import type { JsonObject } from '../../database/column-transformers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ContactDto } from '../../customers/contact';
import { EntityIdDto } from '../../database/entity-id.dto';

export class TenantDto extends ContactDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'Company A' }) @IsOptional() @IsString() @MaxLength(255) title?: string;
  @ApiPropertyOptional({ example: 'Global' }) @IsOptional() @IsString() @MaxLength(255) region?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}
