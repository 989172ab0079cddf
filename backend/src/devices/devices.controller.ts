import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { deviceCredentialsJson, deviceInfoJson, deviceJson } from './device.json';
import { DEVICE_SORTABLE, DeviceFilter, DevicesService } from './devices.service';
import { DeviceCredentialsDto, DeviceDto, DeviceWithCredentialsDto } from './dto/device.dto';

interface DeviceListQuery extends PageQuery {
  type?: string;
  deviceProfileId?: string;
  active?: string;
}

@ApiTags('devices')
@ApiBearerAuth()
@Controller('api')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get('device/:deviceId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async get(@CurrentUser() user: SecurityUser, @Param('deviceId') id: string) {
    return deviceJson(await this.devices.get(user, id));
  }

  @Post('device')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  @ApiQuery({ name: 'accessToken', required: false, description: 'token for the new device; random 20 characters when absent' })
  async save(@CurrentUser() user: SecurityUser, @Body() body: DeviceDto, @Query('accessToken') accessToken?: string) {
    return deviceJson(await this.devices.save(user, body, accessToken));
  }

  @Post('device-with-credentials')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async saveWithCredentials(@CurrentUser() user: SecurityUser, @Body() body: DeviceWithCredentialsDto) {
    return deviceJson(await this.devices.saveWithCredentials(user, body.device, body.credentials));
  }

  @Delete('device/:deviceId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async delete(@CurrentUser() user: SecurityUser, @Param('deviceId') id: string): Promise<void> {
    await this.devices.delete(user, id);
  }

  /** A page of the tenant's devices, or — with `deviceName` — that one device (ThingsBoard overloads the path). */
  @Get('tenant/devices')
  @Roles('TENANT_ADMIN')
  @ApiQuery({ name: 'deviceName', required: false })
  async tenantDevices(@CurrentUser() user: SecurityUser, @Query() query: DeviceListQuery & { deviceName?: string }) {
    if (query.deviceName !== undefined) return deviceJson(await this.devices.findByName(user, query.deviceName));
    return this.devicePage(user, query, {}, false);
  }

  @Get('tenant/deviceInfos')
  @Roles('TENANT_ADMIN')
  tenantDeviceInfos(@CurrentUser() user: SecurityUser, @Query() query: DeviceListQuery) {
    return this.devicePage(user, query, {}, true);
  }

  @Get('customer/:customerId/devices')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  customerDevices(@CurrentUser() user: SecurityUser, @Param('customerId') customerId: string, @Query() query: DeviceListQuery) {
    return this.devicePage(user, query, { customerId: this.customerFor(user, customerId) }, false);
  }

  @Get('customer/:customerId/deviceInfos')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  customerDeviceInfos(@CurrentUser() user: SecurityUser, @Param('customerId') customerId: string, @Query() query: DeviceListQuery) {
    return this.devicePage(user, query, { customerId: this.customerFor(user, customerId) }, true);
  }

  @Post('customer/:customerId/device/:deviceId')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  async assign(@CurrentUser() user: SecurityUser, @Param('customerId') customerId: string, @Param('deviceId') deviceId: string) {
    return deviceJson((await this.devices.assignToCustomer(user, customerId, deviceId)).device);
  }

  @Delete('customer/device/:deviceId')
  @Roles('TENANT_ADMIN')
  async unassign(@CurrentUser() user: SecurityUser, @Param('deviceId') deviceId: string) {
    return deviceJson(await this.devices.unassignFromCustomer(user, deviceId));
  }

  @Get('device/:deviceId/credentials')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async credentials(@CurrentUser() user: SecurityUser, @Param('deviceId') deviceId: string) {
    return deviceCredentialsJson(await this.devices.getCredentials(user, deviceId));
  }

  @Post('device/credentials')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  async updateCredentials(@CurrentUser() user: SecurityUser, @Body() body: DeviceCredentialsDto) {
    return deviceCredentialsJson(await this.devices.updateCredentials(user, body));
  }

  /** A customer user may only list its own customer's devices. */
  private customerFor(user: SecurityUser, customerId: string): string {
    const id = parseUuid(customerId);
    if (user.authority === 'CUSTOMER_USER' && id !== user.customerId) throw ApiError.forbidden();
    return id;
  }

  private async devicePage(user: SecurityUser, query: DeviceListQuery, filter: DeviceFilter, infos: boolean) {
    const link = parsePageLink(query, DEVICE_SORTABLE);
    if (query.deviceProfileId) filter.deviceProfileId = parseUuid(query.deviceProfileId);
    if (query.type) filter.type = query.type;
    if (query.active === 'true' || query.active === 'false') filter.active = query.active === 'true';
    const page = await this.devices.page(user, link, filter);
    return { ...page, data: page.data.map(({ device, extras }) => (infos ? deviceInfoJson(device, extras) : deviceJson(device))) };
  }
}
