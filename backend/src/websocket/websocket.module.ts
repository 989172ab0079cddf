import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module';
import { AuthModule } from '../auth/auth.module';
import { DevicesModule } from '../devices/devices.module';
import { RelationsModule } from '../relations/relations.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { AlarmCommands } from './alarm-commands';
import { ClusterRelay } from './cluster-relay';
import { EntityDataCommands } from './entity-data-commands';
import { EntityQueries } from './entity-query';
import { SubscriptionRegistry } from './subscription-registry';
import { TelemetryCommands } from './telemetry-commands';
import { WsCommandHandler } from './ws-command-handler';
import { WebSocketEndpoint } from './ws-endpoint';

/**
 * The WebSocket API (device-api.md §9): `/api/ws` and `/api/ws/plugins/telemetry` on the platform HTTP server,
 * live timeseries, attributes, entity lists and alarms; across cluster nodes through Redis when REDIS_URL is set.
 */
@Module({
  imports: [AuthModule, TelemetryModule, AlarmsModule, DevicesModule, RelationsModule],
  providers: [
    WebSocketEndpoint,
    WsCommandHandler,
    TelemetryCommands,
    EntityDataCommands,
    AlarmCommands,
    EntityQueries,
    SubscriptionRegistry,
    ClusterRelay,
  ],
})
export class WebsocketModule {}
