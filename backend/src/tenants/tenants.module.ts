import { Module } from '@nestjs/common';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { TenantsService } from './tenants.service';

@Module({ imports: [DeviceProfilesModule], providers: [TenantsService], exports: [TenantsService] })
export class TenantsModule {}
