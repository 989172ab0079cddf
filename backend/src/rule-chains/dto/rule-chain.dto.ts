import type { JsonObject } from '../../database/column-transformers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EntityIdDto } from '../../database/entity-id.dto';

/** POST /api/ruleChain: the header only (rest-api.md §2.1–2.2). */
export class RuleChainDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'Thermostat Chain' }) @IsOptional() @IsString() @MaxLength(255) name?: string;
  @ApiPropertyOptional({ enum: ['CORE', 'EDGE'] })
  @IsOptional()
  @IsIn(['CORE', 'EDGE'], { message: 'type must be CORE or EDGE' })
  type?: 'CORE' | 'EDGE';
  @ApiPropertyOptional() @IsOptional() @IsBoolean() root?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() debugMode?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() configuration?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}

export class DebugSettingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() failuresEnabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() allEnabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsNumber() allEnabledUntil?: number;
}

export class RuleNodeDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto | null;
  @ApiProperty({ example: 'org.thingsboard.rule.engine.filter.TbJsFilterNode' }) @IsString() @MaxLength(255) type: string;
  @ApiProperty() @IsString() @MaxLength(255) name: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() configuration?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() configurationVersion?: number;
  @ApiPropertyOptional({ type: DebugSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DebugSettingsDto)
  debugSettings?: DebugSettingsDto | null;
  @ApiPropertyOptional({ description: 'legacy flag: true = failures plus everything for the maximum debug duration' })
  @IsOptional()
  @IsBoolean()
  debugMode?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() singletonMode?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() queueName?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
}

export class NodeConnectionDto {
  @ApiProperty() @IsInt() fromIndex: number;
  @ApiProperty() @IsInt() toIndex: number;
  @ApiProperty({ example: 'True' }) @IsString() type: string;
}

/** Legacy input form of a link to another chain; saved as a "rule chain" node. */
export class RuleChainConnectionDto {
  @ApiProperty() @IsInt() fromIndex: number;
  @ApiProperty({ type: EntityIdDto }) @ValidateNested() @Type(() => EntityIdDto) targetRuleChainId: EntityIdDto;
  @ApiProperty() @IsString() type: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
}

/** POST /api/ruleChain/metadata: the whole graph (rest-api.md §2.3–2.4). */
export class RuleChainMetaDataDto {
  @ApiProperty({ type: EntityIdDto }) @ValidateNested() @Type(() => EntityIdDto) ruleChainId: EntityIdDto;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() firstNodeIndex?: number | null;
  @ApiProperty({ type: [RuleNodeDto] }) @IsArray() @ValidateNested({ each: true }) @Type(() => RuleNodeDto) nodes: RuleNodeDto[];
  @ApiPropertyOptional({ type: [NodeConnectionDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => NodeConnectionDto)
  connections?: NodeConnectionDto[] | null;
  @ApiPropertyOptional({ type: [RuleChainConnectionDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RuleChainConnectionDto)
  ruleChainConnections?: RuleChainConnectionDto[] | null;
  @ApiPropertyOptional() @IsOptional() @IsArray() notes?: JsonObject[] | null;
}

/** Export/import body (rest-api.md §2.6). */
export class RuleChainDataDto {
  @ApiProperty({ type: [RuleChainDto] }) @IsArray() @ValidateNested({ each: true }) @Type(() => RuleChainDto) ruleChains: RuleChainDto[];
  @ApiProperty({ type: [RuleChainMetaDataDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RuleChainMetaDataDto)
  metadata: RuleChainMetaDataDto[];
}
