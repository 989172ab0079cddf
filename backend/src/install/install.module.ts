import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { FirstStartService } from './first-start.service';

@Module({ imports: [TenantsModule], providers: [FirstStartService] })
export class InstallModule {}
