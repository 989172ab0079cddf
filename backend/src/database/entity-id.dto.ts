import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** `{"entityType": …, "id": …}` as clients send it; only `id` is used, the type comes from the field. */
export class EntityIdDto {
  @ApiProperty() @IsString() id: string;
  @ApiPropertyOptional() @IsOptional() @IsString() entityType?: string;
}
