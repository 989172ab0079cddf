import { Module } from '@nestjs/common';
import { RelationsModule } from '../relations/relations.module';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

/** Rule-engine events: `EventsService` records them for the engine; the REST API reads and clears them. */
@Module({
  imports: [RelationsModule],
  controllers: [EventsController],
  providers: [EventsService],
  exports: [EventsService],
})
export class EventsModule {}
