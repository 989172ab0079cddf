import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { deviceJson } from '../devices/device.json';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { CHILD_DEVICE_SORTABLE, GatewaysService } from './gateways.service';

@ApiTags('gateways')
@ApiBearerAuth()
@Controller('api')
export class GatewaysController {
  constructor(private readonly gateways: GatewaysService) {}

  /**
   * The devices a gateway connects (those whose `additionalInfo.lastConnectedGateway` is it), each as ThingsBoard's
   * Device JSON plus its connection state: `active`, `lastConnectTime`, `lastDisconnectTime`, `lastActivityTime`
   * (epoch ms, 0 = never) and `connected` (a session is open: the last connect is newer than the last disconnect).
   */
  @Get('gateway/:gatewayId/devices')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  @ApiOperation({ summary: "A page of a gateway's child devices with their connection state" })
  async childDevices(@CurrentUser() user: SecurityUser, @Param('gatewayId') gatewayId: string, @Query() query: PageQuery) {
    const gateway = await this.gateways.gateway(user, parseUuid(gatewayId));
    const page = await this.gateways.childDevices(user, gateway, parsePageLink(query, CHILD_DEVICE_SORTABLE));
    return {
      ...page,
      data: page.data.map(({ device, connectivity }) => ({
        ...deviceJson(device),
        ...connectivity,
        connected: connectivity.lastConnectTime > connectivity.lastDisconnectTime,
      })),
    };
  }
}
