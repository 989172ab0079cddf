import { Body, Controller, Delete, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { deviceJson } from '../devices/device.json';
import { ClaimingService } from './claiming.service';
import { ClaimRequestDto } from './dto/claim-request.dto';

/** The customer side of device claiming (device-api.md §8.7). */
@ApiTags('devices')
@ApiBearerAuth()
@Controller('api/customer/device/:deviceName/claim')
export class ClaimingController {
  constructor(private readonly claiming: ClaimingService) {}

  /**
   * 200 `{"device":…,"response":"SUCCESS"}` when the device is now the caller's customer's; otherwise 400 with
   * the bare JSON string `"FAILURE"` (no registration, expired or wrong secret) or `"CLAIMED"` (already owned).
   */
  @Post()
  @Roles('CUSTOMER_USER')
  async claim(
    @CurrentUser() user: SecurityUser,
    @Param('deviceName') deviceName: string,
    @Body() body: ClaimRequestDto | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.claiming.claim(user, deviceName, body?.secretKey ?? '');
    if (result.response === 'SUCCESS') res.status(200).json({ device: deviceJson(result.device), response: result.response });
    else res.status(400).json(result.response);
  }

  /** Unassigns the device from its customer so that it can be claimed again; 200 with an empty body. */
  @Delete()
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async reclaim(@CurrentUser() user: SecurityUser, @Param('deviceName') deviceName: string): Promise<void> {
    await this.claiming.reclaim(user, deviceName);
  }
}
