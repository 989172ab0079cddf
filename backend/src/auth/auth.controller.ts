import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Public } from './auth.decorators';
import { AuthService, TokenPair } from './auth.service';
import { LoginRequest, RefreshTokenRequest, TokenPairResponse } from './dto/login.dto';
import type { SecurityUser } from './security-user';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  login(@Body() body: LoginRequest, @Req() request: Request): Promise<TokenPair> {
    return this.auth.login(body.username, body.password, request.ip ?? 'unknown');
  }

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  refresh(@Body() body: RefreshTokenRequest): Promise<TokenPair> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(200)
  @ApiBearerAuth()
  async logout(@CurrentUser() user: SecurityUser): Promise<void> {
    await this.auth.logout(user);
  }
}
