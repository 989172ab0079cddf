import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module';
import { CustomersModule } from '../customers/customers.module';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { DevicesModule } from '../devices/devices.module';
import { EventsModule } from '../events/events.module';
import { QueuesModule } from '../queues/queues.module';
import { RelationsModule } from '../relations/relations.module';
import { RpcModule } from '../rpc/rpc.module';
import { RuleChainsModule } from '../rule-chains/rule-chains.module';
import { ScriptsModule } from '../scripts/scripts.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { TransportModule } from '../transport/transport.module';
import { EngineServices } from './engine-services';
import { RuleEngineController } from './rule-engine.controller';
import { RuleEngine } from './rule-engine.service';
import { RuleQueueModule } from './queue/rule-queue.module';

/** The running rule engine: queue consumers, deployed chains, and the services nodes reach through their context. */
@Module({
  imports: [
    RuleChainsModule,
    RuleQueueModule,
    QueuesModule,
    TelemetryModule,
    DevicesModule,
    EventsModule,
    CustomersModule,
    DeviceProfilesModule,
    RpcModule,
    TransportModule,
    AlarmsModule,
    RelationsModule,
    ScriptsModule,
  ],
  controllers: [RuleEngineController],
  providers: [RuleEngine, EngineServices],
  exports: [RuleEngine],
})
export class RuleEngineModule {}
