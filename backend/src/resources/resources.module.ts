import { Module } from '@nestjs/common';
import { PluginsModule } from '../plugins/plugins.module';
import { ResourcesController } from './resources.controller';
import { ResourcesService } from './resources.service';

/** The resource library: LwM2M object models of the system and of each tenant (`/api/resource`). */
@Module({
  imports: [PluginsModule],
  controllers: [ResourcesController],
  providers: [ResourcesService],
  exports: [ResourcesService],
})
export class ResourcesModule {}
