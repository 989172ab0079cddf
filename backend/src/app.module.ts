import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AlarmsModule } from './alarms/alarms.module';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuthModule } from './auth/auth.module';
import { ClaimingModule } from './claiming/claiming.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { DeviceProfilesModule } from './device-profiles/device-profiles.module';
import { DevicesModule } from './devices/devices.module';
import { EventsModule } from './events/events.module';
import { GatewaysModule } from './gateways/gateways.module';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { HealthModule } from './health/health.module';
import { InstallModule } from './install/install.module';
import { OtaModule } from './ota/ota.module';
import { QueuesModule } from './queues/queues.module';
import { RelationsModule } from './relations/relations.module';
import { ResourcesModule } from './resources/resources.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { RpcModule } from './rpc/rpc.module';
import { ScriptsModule } from './scripts/scripts.module';
import { TenantsModule } from './tenants/tenants.module';
import { TransportModule } from './transport/transport.module';
import { UsersModule } from './users/users.module';
import { PluginsModule } from './plugins/plugins.module';
import { RuleChainsModule } from './rule-chains/rule-chains.module';
import { RuleEngineModule } from './rule-engine/rule-engine.module';
import { WebsocketModule } from './websocket/websocket.module';
import { WebAdminModule } from './web-admin/web-admin.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        PluginsModule,
        AuditLogModule,
        AuthModule,
        HealthModule,
        TenantsModule,
        CustomersModule,
        UsersModule,
        DeviceProfilesModule,
        DevicesModule,
        OtaModule,
        ResourcesModule,
        TelemetryModule,
        RelationsModule,
        EventsModule,
        QueuesModule,
        AlarmsModule,
        TransportModule,
        ClaimingModule,
        RpcModule,
        GatewaysModule,
        ScriptsModule,
        RuleChainsModule,
        RuleEngineModule,
        WebsocketModule,
        InstallModule,
        WebAdminModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
