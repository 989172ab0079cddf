import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { EntityDirectory } from './entity-directory';
import { RelationsController } from './relations.controller';
import { RelationsService } from './relations.service';

/** Entity relations: REST API, `RelationsService.forTenant` for rule nodes, and the entity directory. */
@Module({
  imports: [DevicesModule],
  controllers: [RelationsController],
  providers: [RelationsService, EntityDirectory],
  exports: [RelationsService, EntityDirectory],
})
export class RelationsModule {}
