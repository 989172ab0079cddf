import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { EntityIdDto } from '../../database/entity-id.dto';

/**
 * ThingsBoard's TbResource as `POST /api/resource` takes it: the file as Base64 in `data`. Clients send back whole
 * resources, so read-only members (`resourceKey`, `etag`, `tenantId` …) are accepted and ignored.
 */
export class SaveResourceDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiPropertyOptional({ description: 'for a new LwM2M model, taken from the model: "{name} id={objectId} v{version}"' })
  @IsOptional()
  @IsString()
  title?: string;
  @ApiProperty({ enum: ['LWM2M_MODEL'] }) @IsOptional() @IsString() resourceType?: string;
  @ApiProperty({ example: '3303.xml' }) @IsOptional() @IsString() fileName?: string;
  @ApiProperty({ description: 'the file, Base64' }) @IsOptional() @IsString() data?: string;
}
