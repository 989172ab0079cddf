import { Controller, Delete, Get, Header, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditLogService } from '../audit-log/audit-log.service';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiError } from '../errors/api-error';
import { CoreMessages } from '../rule-engine/core-messages';
import { AGGREGATIONS, HistoryQueryError, INTERVAL_TYPES, planHistory } from './history-query';
import { readJson } from './json-reader';
import { timeseriesJson } from './kv-json';
import { KvParseError } from './kv-typing';
import { parseTelemetry } from './telemetry-payload';
import { boolParam, enumParam, intParam, keysParam, QueryParams, TelemetryRequests } from './telemetry-request';
import { TimeseriesService } from './timeseries.service';

const TS_PAYLOAD_ERROR = 'Unable to parse time series payload';

/** Timeseries half of ThingsBoard's TelemetryController (device-api.md §8.5). */
@ApiTags('telemetry')
@ApiBearerAuth()
@Controller('api/plugins/telemetry')
@Roles('TENANT_ADMIN', 'CUSTOMER_USER')
export class TimeseriesController {
  constructor(
    private readonly timeseries: TimeseriesService,
    private readonly requests: TelemetryRequests,
    private readonly audit: AuditLogService,
    private readonly messages: CoreMessages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':entityType/:entityId/keys/timeseries')
  async keys(@CurrentUser() user: SecurityUser, @Param('entityType') entityType: string, @Param('entityId') entityId: string) {
    const device = await this.requests.device(user, entityType, entityId);
    return this.timeseries.keys(device.id);
  }

  /** Latest values, or history when both startTs and endTs are given. */
  @Get(':entityType/:entityId/values/timeseries')
  @Header('Content-Type', 'application/json')
  async values(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Query() query: QueryParams,
  ) {
    if (query.startTs !== undefined && query.endTs !== undefined) return this.history(user, entityType, entityId, query);
    const device = await this.requests.device(user, entityType, entityId);
    const strict = boolParam(query, 'useStrictDataTypes', false);
    return timeseriesJson(await this.timeseries.latest(device.id, keysParam(query)), strict);
  }

  @Get(':entityType/:entityId/values/timeseries/history')
  @Header('Content-Type', 'application/json')
  async history(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Query() query: QueryParams,
  ) {
    const device = await this.requests.device(user, entityType, entityId);
    const startTs = intParam(query, 'startTs');
    const endTs = intParam(query, 'endTs');
    if (startTs === undefined || endTs === undefined)
      throw ApiError.badRequest('History needs both startTs and endTs (epoch milliseconds)');
    const strict = boolParam(query, 'useStrictDataTypes', false);
    let plan;
    try {
      plan = planHistory(
        {
          startTs,
          endTs,
          interval: intParam(query, 'interval', 0)!,
          intervalType: enumParam(query, 'intervalType', INTERVAL_TYPES),
          timeZone: typeof query.timeZone === 'string' ? query.timeZone : undefined,
          limit: intParam(query, 'limit', 100)!,
          agg: enumParam(query, 'agg', AGGREGATIONS, 'NONE')!,
          orderBy: typeof query.orderBy === 'string' && query.orderBy ? query.orderBy : 'DESC',
        },
        this.config.tsMaxIntervals,
      );
    } catch (e) {
      if (e instanceof HistoryQueryError) throw ApiError.badRequest(e.message);
      throw e;
    }
    const keys = keysParam(query) ?? [];
    return timeseriesJson(keys.length ? await this.timeseries.history(device.id, keys, plan) : new Map(), strict);
  }

  /**
   * `ttl` is accepted for ThingsBoard compatibility and ignored: like ThingsBoard's SQL storage, points are not
   * expired per row; retention arrives later as a system-wide cleanup.
   */
  @Post([':entityType/:entityId/timeseries/:scope', ':entityType/:entityId/timeseries/:scope/:ttl'])
  @HttpCode(200)
  async save(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Param('ttl') ttl: string | undefined,
    @Req() request: Request,
  ) {
    if (ttl !== undefined && !/^-?\d+$/.test(ttl)) throw ApiError.badRequest(`Invalid ttl '${ttl}': expected whole seconds`);
    const text = await this.requests.bodyText(request);
    let json: unknown;
    try {
      json = readJson(text);
    } catch {
      throw ApiError.badRequest(`${TS_PAYLOAD_ERROR}: Invalid JSON body!`);
    }
    let points;
    try {
      points = parseTelemetry(json, Date.now());
    } catch (e) {
      if (e instanceof KvParseError) throw ApiError.badRequest(`${TS_PAYLOAD_ERROR}. Invalid JSON body: ${e.message}`);
      throw e;
    }
    if (points.length === 0) throw ApiError.badRequest('No time series data found in request body!');
    const device = await this.requests.device(user, entityType, entityId);
    await this.timeseries.save(device.id, points);
    const keys = [...new Set(points.map((p) => p.key))];
    await this.audit.recordDevice(user, device, 'TIMESERIES_UPDATED', { keys, points: points.length });
    await this.messages.timeseriesUpdated(user, device, points);
  }

  @Delete(':entityType/:entityId/timeseries/delete')
  async delete(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Query() query: QueryParams,
  ) {
    const keys = keysParam(query) ?? [];
    if (keys.length === 0) throw ApiError.badRequest('Empty keys: [] (name the keys to delete with keys=a,b)');
    const deleteAll = boolParam(query, 'deleteAllDataForKeys', false);
    const startTs = deleteAll ? 0 : intParam(query, 'startTs');
    const endTs = deleteAll ? Date.now() : intParam(query, 'endTs');
    if (startTs === undefined || endTs === undefined) {
      throw ApiError.badRequest("When deleteAllDataForKeys is false, start and end timestamp values shouldn't be empty");
    }
    const device = await this.requests.device(user, entityType, entityId);
    const deleteLatest = boolParam(query, 'deleteLatest', true);
    const rewriteLatestIfDeleted = boolParam(query, 'rewriteLatestIfDeleted', false);
    await this.timeseries.delete(device.id, { keys, startTs, endTs, deleteLatest, rewriteLatestIfDeleted });
    await this.audit.recordDevice(user, device, 'TIMESERIES_DELETED', { keys, startTs, endTs });
    await this.messages.timeseriesDeleted(user, device, keys, startTs, endTs);
  }
}
