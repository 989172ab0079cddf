import { Module } from '@nestjs/common';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { DevicesModule } from '../devices/devices.module';
import { RpcModule } from '../rpc/rpc.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { TransportModule } from '../transport/transport.module';
import { GatewayChildDevices } from './gateway-child-devices.service';
import { GatewayNotifications } from './gateway-notifications.service';
import { GatewaySessions } from './gateway-sessions.service';
import { GatewaysController } from './gateways.controller';
import { GatewaysService } from './gateways.service';

/**
 * The gateway API's core (device-api.md §4): child devices found or created by name, their sessions under the
 * gateway's, deleted/renamed notices to the gateway, and the REST list of a gateway's children. The transport
 * host reaches `GatewaySessions` through the module reference (this module depends on the transport core).
 */
@Module({
  imports: [TransportModule, RpcModule, DevicesModule, DeviceProfilesModule, CoreMessagesModule],
  controllers: [GatewaysController],
  providers: [GatewayChildDevices, GatewaySessions, GatewayNotifications, GatewaysService],
  exports: [GatewaySessions],
})
export class GatewaysModule {}
