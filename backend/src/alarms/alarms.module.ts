import { Module } from '@nestjs/common';
import { RelationsModule } from '../relations/relations.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { AlarmCommentsService } from './alarm-comments.service';
import { AlarmEntities } from './alarm-entities';
import { AlarmEvents } from './alarm-events';
import { AlarmQueries } from './alarm-queries';
import { AlarmStore } from './alarm-store';
import { AlarmsController } from './alarms.controller';
import { AlarmsService } from './alarms.service';

/** Alarms: the REST API of rest-api.md §3 and, through `AlarmsService.forTenant`, the rule engine's AlarmsApi;
 * `AlarmEvents` and `AlarmQueries` for live alarm lists. */
@Module({
  imports: [RelationsModule, CoreMessagesModule],
  controllers: [AlarmsController],
  providers: [AlarmsService, AlarmStore, AlarmQueries, AlarmEntities, AlarmCommentsService, AlarmEvents],
  exports: [AlarmsService, AlarmQueries, AlarmEvents],
})
export class AlarmsModule {}
