import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { TransportModule } from '../transport/transport.module';
import { DeviceRpcService } from './device-rpc.service';
import { RpcController } from './rpc.controller';
import { ServerRpcRequests } from './server-rpc-requests';

/** Server-side RPC to devices (lightweight and persistent). */
@Module({
  imports: [DevicesModule, TransportModule, CoreMessagesModule],
  controllers: [RpcController],
  providers: [DeviceRpcService, ServerRpcRequests],
  exports: [DeviceRpcService, ServerRpcRequests],
})
export class RpcModule {}
