import type { JsonObject } from '../../database/column-transformers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EntityIdDto } from '../../database/entity-id.dto';
import { ContactDto } from '../contact';

export class CustomerDto extends ContactDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'Company A' }) @IsOptional() @IsString() @MaxLength(255) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}

export const NAME_CONFLICT_POLICIES = ['FAIL', 'UNIQUIFY'] as const;
export const UNIQUIFY_STRATEGIES = ['RANDOM', 'INCREMENTAL'] as const;

/** What to do when the title is taken: refuse (default), or append a suffix (ThingsBoard's UNIQUIFY). */
export class NameConflictQuery {
  @ApiPropertyOptional({ enum: NAME_CONFLICT_POLICIES })
  @IsOptional()
  @IsIn(NAME_CONFLICT_POLICIES, { message: `nameConflictPolicy must be one of ${NAME_CONFLICT_POLICIES.join(', ')}` })
  nameConflictPolicy?: (typeof NAME_CONFLICT_POLICIES)[number];

  @ApiPropertyOptional({ example: '_' }) @IsOptional() @IsString() @MaxLength(16) uniquifySeparator?: string;

  @ApiPropertyOptional({ enum: UNIQUIFY_STRATEGIES })
  @IsOptional()
  @IsIn(UNIQUIFY_STRATEGIES, { message: `uniquifyStrategy must be one of ${UNIQUIFY_STRATEGIES.join(', ')}` })
  uniquifyStrategy?: (typeof UNIQUIFY_STRATEGIES)[number];
}
