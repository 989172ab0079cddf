import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Public } from '../auth/auth.decorators';
import type { TokenPair } from '../auth/auth.service';
import { TokenPairResponse } from '../auth/dto/login.dto';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { ActivateUserRequest, ChangePasswordRequest } from './dto/user.dto';
import { userJson } from './user.json';
import { UserCredentialsService } from './user-credentials.service';
import { UsersService } from './users.service';

/** The account's own side: activation link, password change, who am I (ThingsBoard's AuthController). */
@ApiTags('auth')
@Controller('api')
export class UserAuthController {
  constructor(
    private readonly users: UsersService,
    private readonly credentials: UserCredentialsService,
  ) {}

  /** Where the activation link lands: sends the browser on to the UI page that asks for the new password. */
  @Public()
  @Get('noauth/activate')
  async openActivationLink(@Query('activateToken') token: string | undefined, @Res() response: Response): Promise<void> {
    if (!token) throw ApiError.badRequest("Required request parameter 'activateToken' is not present");
    const state = await this.credentials.activationLinkState(token);
    response.redirect(
      303,
      state === 'valid' ? `/login/createPassword?activateToken=${encodeURIComponent(token)}` : '/activationLinkExpired',
    );
  }

  /** `sendActivationMail` (a confirmation mail in ThingsBoard) is ignored: Edgewise sends no e-mail. */
  @Public()
  @Post('noauth/activate')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  activate(@Body() body: ActivateUserRequest): Promise<TokenPair> {
    return this.credentials.activate(body.activateToken, body.password);
  }

  @Post('auth/changePassword')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ type: TokenPairResponse })
  changePassword(@CurrentUser() caller: SecurityUser, @Body() body: ChangePasswordRequest): Promise<TokenPair> {
    return this.credentials.changePassword(caller, body.currentPassword, body.newPassword);
  }

  @Get('auth/user')
  @ApiBearerAuth()
  async me(@CurrentUser() caller: SecurityUser) {
    const user = await this.users.getAccessible(caller, caller.id);
    return userJson(user, await this.users.credentialsOf(user.id));
  }
}
