import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { DeviceProfilesModule } from './device-profiles/device-profiles.module';
import { DevicesModule } from './devices/devices.module';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { HealthModule } from './health/health.module';
import { InstallModule } from './install/install.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { RpcModule } from './rpc/rpc.module';
import { TenantsModule } from './tenants/tenants.module';
import { TransportModule } from './transport/transport.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        AuditLogModule,
        AuthModule,
        HealthModule,
        TenantsModule,
        CustomersModule,
        UsersModule,
        DeviceProfilesModule,
        DevicesModule,
        TelemetryModule,
        TransportModule,
        RpcModule,
        InstallModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
