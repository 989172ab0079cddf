import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class LoginRequest {
  @ApiProperty({ example: 'tenant@thingsboard.org' })
  @IsOptional()
  @IsString()
  username?: string;

  @ApiProperty({ example: 'tenant' })
  @IsOptional()
  @IsString()
  password?: string;
}

export class RefreshTokenRequest {
  @ApiProperty()
  @IsOptional()
  @IsString()
  refreshToken?: string;
}

export class TokenPairResponse {
  @ApiProperty({ description: 'access token: send as `X-Authorization: Bearer <token>`' }) token: string;
  @ApiProperty({ description: 'exchange at POST /api/auth/token for a new pair' }) refreshToken: string;
}
