import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { TransportModule } from '../transport/transport.module';
import { DeviceRpcService } from './device-rpc.service';
import { RpcController } from './rpc.controller';

/** Server-side RPC to devices (lightweight and persistent). */
@Module({
  imports: [DevicesModule, TransportModule],
  controllers: [RpcController],
  providers: [DeviceRpcService],
  exports: [DeviceRpcService],
})
export class RpcModule {}
