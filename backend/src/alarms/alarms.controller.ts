import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { entityId } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { enumParam, intParam, QueryParams } from '../telemetry/telemetry-request';
import { AlarmCommentsService, COMMENT_SORTABLE } from './alarm-comments.service';
import { AlarmEntities } from './alarm-entities';
import { ALARM_SORTABLE, AlarmListFilter, AlarmQueries, AlarmStatusFilter } from './alarm-queries';
import { ALARM_SEVERITIES, ALARM_STATUSES, AlarmSeverity, AlarmStatus } from './alarm.entity';
import { alarmCommentJson, alarmJson } from './alarm.json';
import { AlarmsService } from './alarms.service';
import { AlarmCommentDto, AlarmDto } from './dto/alarm.dto';

type AlarmSearchStatus = 'ANY' | 'ACTIVE' | 'CLEARED' | 'ACK' | 'UNACK';
const SEARCH_STATUSES: readonly AlarmSearchStatus[] = ['ANY', 'ACTIVE', 'CLEARED', 'ACK', 'UNACK'];

/** ThingsBoard's AlarmStatusFilter of one search status or one status. */
const SEARCH_STATUS_FILTERS: Record<AlarmSearchStatus, AlarmStatusFilter> = {
  ANY: {},
  ACTIVE: { cleared: false },
  CLEARED: { cleared: true },
  ACK: { acknowledged: true },
  UNACK: { acknowledged: false },
};
const statusFilter = (status: AlarmStatus): AlarmStatusFilter => ({
  cleared: status.startsWith('CLEARED'),
  acknowledged: status.endsWith('_ACK'),
});

/** v2's status list: a flag filters only when the list asks for one side of it (ThingsBoard's AlarmStatusFilter.from(list)). */
function statusListFilter(statuses: readonly AlarmSearchStatus[]): AlarmStatusFilter {
  if (!statuses.length || statuses.includes('ANY')) return {};
  const oneSide = (yes: AlarmSearchStatus, no: AlarmSearchStatus) =>
    statuses.includes(yes) !== statuses.includes(no) ? statuses.includes(yes) : undefined;
  return { cleared: oneSide('CLEARED', 'ACTIVE'), acknowledged: oneSide('ACK', 'UNACK') };
}

/** `a,b` or repeated `x=a&x=b` → ['a', 'b']. */
function listParam(query: QueryParams, name: string): string[] {
  const raw = query[name];
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(',')).filter(Boolean);
}

function enumListParam<T extends string>(query: QueryParams, name: string, allowed: readonly T[]): T[] {
  const values = listParam(query, name);
  const unknown = values.find((v) => !(allowed as readonly string[]).includes(v));
  if (unknown !== undefined) throw ApiError.badRequest(`Invalid value '${unknown}' for ${name}: use any of ${allowed.join(', ')}`);
  return values as T[];
}

/** `searchStatus` or `status` (not both, rest-api.md §3.1). */
function v1StatusFilter(query: QueryParams): AlarmStatusFilter {
  const searchStatus = enumParam(query, 'searchStatus', SEARCH_STATUSES);
  const status = enumParam(query, 'status', ALARM_STATUSES);
  if (searchStatus && status) {
    throw ApiError.badRequest(
      "Invalid alarms search query: Both parameters 'searchStatus' and 'status' can't be specified at the same time!",
    );
  }
  return searchStatus ? SEARCH_STATUS_FILTERS[searchStatus] : status ? statusFilter(status) : {};
}

/** Filters every list shares: assignee and time bounds. */
function commonFilter(query: QueryParams): Omit<AlarmListFilter, 'status'> {
  const assigneeId = typeof query.assigneeId === 'string' && query.assigneeId ? parseUuid(query.assigneeId) : undefined;
  return { assigneeId, startTime: intParam(query, 'startTime'), endTime: intParam(query, 'endTime') };
}

function v2Filter(query: QueryParams): AlarmListFilter {
  return {
    ...commonFilter(query),
    status: statusListFilter(enumListParam(query, 'statusList', SEARCH_STATUSES)),
    severities: enumListParam<AlarmSeverity>(query, 'severityList', ALARM_SEVERITIES),
    types: listParam(query, 'typeList'),
  };
}

@ApiTags('alarms')
@ApiBearerAuth()
@Controller('api')
export class AlarmsController {
  constructor(
    private readonly alarms: AlarmsService,
    private readonly queries: AlarmQueries,
    private readonly entities: AlarmEntities,
    private readonly comments: AlarmCommentsService,
  ) {}

  @Get('alarm/types')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async types(@CurrentUser() user: SecurityUser, @Query() query: PageQuery) {
    const page = await this.queries.types(user.tenantId, parsePageLink({ ...query, sortProperty: undefined }, {}));
    return { ...page, data: page.data.map((type) => ({ tenantId: entityId('TENANT', user.tenantId), entityType: 'ALARM', type })) };
  }

  @Get('alarm/info/:alarmId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async info(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string) {
    return this.alarms.info(await this.alarms.get(user, id));
  }

  @Get('alarm/:alarmId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async get(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string) {
    return alarmJson(await this.alarms.get(user, id));
  }

  @Post('alarm')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async save(@CurrentUser() user: SecurityUser, @Body() body: AlarmDto) {
    return alarmJson(await this.alarms.save(user, body));
  }

  @Post('alarm/:alarmId/ack')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async ack(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string) {
    return this.alarms.info(await this.alarms.ack(user, id));
  }

  @Post('alarm/:alarmId/clear')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async clear(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string) {
    return this.alarms.info(await this.alarms.clear(user, id));
  }

  @Delete('alarm/:alarmId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async delete(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string): Promise<boolean> {
    await this.alarms.delete(user, id);
    return true;
  }

  @Post('alarm/:alarmId/assign/:assigneeId')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async assign(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string, @Param('assigneeId') assigneeId: string) {
    return this.alarms.info(await this.alarms.assign(user, id, assigneeId));
  }

  @Delete('alarm/:alarmId/assign')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async unassign(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string) {
    return this.alarms.info(await this.alarms.unassign(user, id));
  }

  /** The highest severity as a JSON string (`"CRITICAL"`), or an empty 200 body when no alarm matches. */
  @Get('alarm/highestSeverity/:entityType/:entityId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async highestSeverity(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') rawEntityId: string,
    @Query() query: QueryParams,
    @Res() res: Response,
  ): Promise<void> {
    const filter = { ...commonFilter(query), status: v1StatusFilter(query) };
    const entity = await this.entities.readable(user, entityType, rawEntityId);
    const severity = await this.queries.highestSeverity(user.tenantId, { ...filter, entity });
    res
      .status(200)
      .type('application/json')
      .send(severity ? JSON.stringify(severity) : '');
  }

  @Get('alarm/:entityType/:entityId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
  entityAlarms(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') rawEntityId: string,
    @Query() query: QueryParams,
  ) {
    return this.entityPage(user, entityType, rawEntityId, query, { ...commonFilter(query), status: v1StatusFilter(query) });
  }

  @Get('v2/alarm/:entityType/:entityId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
  entityAlarmsV2(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') rawEntityId: string,
    @Query() query: QueryParams,
  ) {
    return this.entityPage(user, entityType, rawEntityId, query, v2Filter(query));
  }

  @Get('alarms')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  allAlarms(@CurrentUser() user: SecurityUser, @Query() query: QueryParams) {
    return this.infoPage(user, query, { ...commonFilter(query), status: v1StatusFilter(query) });
  }

  @Get('v2/alarms')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  allAlarmsV2(@CurrentUser() user: SecurityUser, @Query() query: QueryParams) {
    return this.infoPage(user, query, v2Filter(query));
  }

  @Post('alarm/:alarmId/comment')
  @HttpCode(200)
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async saveComment(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string, @Body() body: AlarmCommentDto) {
    return alarmCommentJson(await this.comments.save(user, await this.alarms.get(user, id), body));
  }

  @Get('alarm/:alarmId/comment')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async listComments(@CurrentUser() user: SecurityUser, @Param('alarmId') id: string, @Query() query: PageQuery) {
    const alarm = await this.alarms.get(user, id);
    return this.comments.page(alarm, parsePageLink({ ...query, textSearch: undefined }, COMMENT_SORTABLE));
  }

  @Delete('alarm/:alarmId/comment/:commentId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async deleteComment(
    @CurrentUser() user: SecurityUser,
    @Param('alarmId') id: string,
    @Param('commentId') commentId: string,
  ): Promise<void> {
    await this.comments.delete(user, await this.alarms.get(user, id), commentId);
  }

  private async entityPage(user: SecurityUser, entityType: string, rawEntityId: string, query: QueryParams, filter: AlarmListFilter) {
    const link = parsePageLink(query as PageQuery, ALARM_SORTABLE);
    const entity = await this.entities.readable(user, entityType, rawEntityId);
    // The system administrator may look at a tenant; it owns no alarms and sees none, as in ThingsBoard.
    if (user.authority === 'SYS_ADMIN') return toPageData([], 0, link);
    return this.infoPage(user, query, { ...filter, entity }, link);
  }

  /** A page of AlarmInfo; a customer user's tenant-wide list holds its customer's alarms only. */
  private async infoPage(
    user: SecurityUser,
    query: QueryParams,
    filter: AlarmListFilter,
    link = parsePageLink(query as PageQuery, ALARM_SORTABLE),
  ) {
    const customerId = user.authority === 'CUSTOMER_USER' && !filter.entity ? user.customerId : undefined;
    const page = await this.queries.page(user.tenantId, { ...filter, customerId }, link);
    return { ...page, data: await this.alarms.infos(page.data) };
  }
}
