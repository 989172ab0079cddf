import type { JsonObject } from '../../database/column-transformers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EntityIdDto } from '../../database/entity-id.dto';
import { Authority, AUTHORITIES } from '../user.entity';

export class UserDto {
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) id?: EntityIdDto;
  @ApiProperty({ example: 'operator@company-a.example' }) @IsOptional() @IsString() @MaxLength(255) email?: string;
  @ApiProperty({ enum: AUTHORITIES })
  @IsOptional()
  @IsIn(AUTHORITIES, { message: `authority must be one of ${AUTHORITIES.join(', ')}` })
  authority?: Authority;
  @ApiPropertyOptional({ type: EntityIdDto, description: 'only a system administrator chooses it; for others it is their own tenant' })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntityIdDto)
  tenantId?: EntityIdDto | null;
  @ApiPropertyOptional({ type: EntityIdDto }) @IsOptional() @ValidateNested() @Type(() => EntityIdDto) customerId?: EntityIdDto | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) firstName?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) lastName?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) phone?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsObject() additionalInfo?: JsonObject | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() version?: number | null;
}

export class ActivateUserRequest {
  @ApiProperty({ description: 'the token of the activation link' }) @IsString() activateToken: string;
  @ApiProperty() @IsString() password: string;
}

export class ChangePasswordRequest {
  @ApiProperty() @IsString() currentPassword: string;
  @ApiProperty() @IsString() newPassword: string;
}
