import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { RuleQueueModule } from '../rule-engine/queue/rule-queue.module';
import { TransportModule } from '../transport/transport.module';
import { DeviceRpcService } from './device-rpc.service';
import { RpcController } from './rpc.controller';
import { ServerRpcRequests } from './server-rpc-requests';

/** Server-side RPC to devices (lightweight and persistent). */
@Module({
  imports: [DevicesModule, TransportModule, RuleQueueModule],
  controllers: [RpcController],
  providers: [DeviceRpcService, ServerRpcRequests],
  exports: [DeviceRpcService, ServerRpcRequests],
})
export class RpcModule {}
