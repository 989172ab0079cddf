import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { AttributeEvents } from './attribute-events';
import { AttributesController } from './attributes.controller';
import { AttributesService } from './attributes.service';
import { ParsedTelemetry } from './parsed-telemetry';
import { TelemetryRequests } from './telemetry-request';
import { TimeseriesController } from './timeseries.controller';
import { TimeseriesEvents } from './timeseries-events';
import { createTimeseriesWriter, TimeseriesWriter } from './timeseries-writer';
import { TimeseriesService } from './timeseries.service';

/** Timeseries and attributes: storage services (exported for transports and the rule engine) and the REST API. */
@Module({
  imports: [CoreMessagesModule],
  controllers: [TimeseriesController, AttributesController],
  providers: [
    {
      provide: TimeseriesWriter,
      inject: [DataSource, APP_CONFIG],
      useFactory: (dataSource: DataSource, config: AppConfig) => createTimeseriesWriter(dataSource, config.tsWriteMaxBatch),
    },
    TimeseriesService,
    TimeseriesEvents,
    AttributesService,
    AttributeEvents,
    TelemetryRequests,
    ParsedTelemetry,
  ],
  exports: [TimeseriesService, TimeseriesEvents, AttributesService, AttributeEvents, ParsedTelemetry],
})
export class TelemetryModule {}
