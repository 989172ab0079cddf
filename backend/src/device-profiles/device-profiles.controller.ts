import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { TRANSPORT_TYPES } from './device-profile.entity';
import { deviceProfileInfoJson, deviceProfileJson } from './device-profile.json';
import { DEVICE_PROFILE_SORTABLE, DeviceProfilesService } from './device-profiles.service';
import { DeviceProfileDto } from './dto/device-profile.dto';

@ApiTags('device-profiles')
@ApiBearerAuth()
@Controller('api')
export class DeviceProfilesController {
  constructor(private readonly profiles: DeviceProfilesService) {}

  @Get('deviceProfile/names')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async names(@CurrentUser() user: SecurityUser, @Query('activeOnly') activeOnly?: string) {
    const profiles = await this.profiles.names(user.tenantId, activeOnly === 'true');
    return profiles.map((p) => ({ id: { entityType: 'DEVICE_PROFILE', id: p.id }, name: p.name }));
  }

  @Get('deviceProfile/:id')
  @Roles('TENANT_ADMIN')
  async get(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return deviceProfileJson(await this.profiles.get(user, id));
  }

  @Get('deviceProfileInfo/default')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async defaultInfo(@CurrentUser() user: SecurityUser) {
    return deviceProfileInfoJson(await this.profiles.getDefault(user.tenantId));
  }

  @Get('deviceProfileInfo/:id')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async info(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return deviceProfileInfoJson(await this.profiles.get(user, id));
  }

  @Post('deviceProfile')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  async save(@CurrentUser() user: SecurityUser, @Body() body: DeviceProfileDto) {
    return deviceProfileJson(await this.profiles.save(user, body));
  }

  @Post('deviceProfile/:id/default')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  async setDefault(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return deviceProfileJson(await this.profiles.setDefault(user, id));
  }

  @Delete('deviceProfile/:id')
  @Roles('TENANT_ADMIN')
  async delete(@CurrentUser() user: SecurityUser, @Param('id') id: string): Promise<void> {
    await this.profiles.delete(user, id);
  }

  @Get('deviceProfiles')
  @Roles('TENANT_ADMIN')
  async page(@CurrentUser() user: SecurityUser, @Query() query: PageQuery) {
    const page = await this.profiles.page(user.tenantId, parsePageLink(query, DEVICE_PROFILE_SORTABLE));
    return { ...page, data: page.data.map(deviceProfileJson) };
  }

  @Get('deviceProfileInfos')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async infoPage(@CurrentUser() user: SecurityUser, @Query() query: PageQuery & { transportType?: string }) {
    if (query.transportType && !(TRANSPORT_TYPES as readonly string[]).includes(query.transportType)) {
      throw ApiError.badRequest(`Unknown transportType '${query.transportType}': use one of ${TRANSPORT_TYPES.join(', ')}`);
    }
    const page = await this.profiles.page(user.tenantId, parsePageLink(query, DEVICE_PROFILE_SORTABLE), query.transportType);
    return { ...page, data: page.data.map(deviceProfileInfoJson) };
  }
}
