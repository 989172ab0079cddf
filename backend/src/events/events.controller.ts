import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { EntityId } from '@edgewise/plugin-api';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { parseEntityId } from '../relations/entity-directory';
import { eventInfoJson } from './event.json';
import { EventFilter, parseEventFilter } from './event-filter';
import { EventType, resolveEventType } from './event-types';
import { EventSelection, EventsService } from './events.service';

/** `createdTime` is what ThingsBoard's UI sends; it means the event time. */
const EVENT_SORTABLE = { ts: 'ts', createdTime: 'ts', id: 'id' };

interface EventQuery extends PageQuery {
  tenantId?: string;
  startTime?: string;
  endTime?: string;
}

const FILTER_EXAMPLE = { eventType: 'DEBUG_RULE_NODE', msgDirectionType: 'IN', dataSearch: 'temperature', isError: false };

function optionalTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw ApiError.badRequest(`Request parameter '${name}' must be epoch milliseconds, got '${raw}'`);
  return Number(raw);
}

function requiredTenantId(raw: string | undefined): string {
  if (!raw) throw ApiError.badRequest("Required request parameter 'tenantId' is not present: send the entity's tenant id");
  return parseUuid(raw);
}

/** ThingsBoard's EventController (rest-api.md §4.1) and the rule node's latest debug input. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('events/:entityType/:entityId/:eventType')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
  async byType(@CurrentUser() user: SecurityUser, @Param() path: Record<string, string>, @Query() query: EventQuery) {
    return this.page(user, path, query, () => resolveEventType(path.eventType));
  }

  /** Deprecated in ThingsBoard: lifecycle events only. */
  @Get('events/:entityType/:entityId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
  async lifecycle(@CurrentUser() user: SecurityUser, @Param() path: Record<string, string>, @Query() query: EventQuery) {
    return this.page(user, path, query, () => 'LC_EVENT');
  }

  @Post('events/:entityType/:entityId')
  @HttpCode(200)
  @Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
  @ApiBody({ schema: { example: FILTER_EXAMPLE } })
  async byFilter(
    @CurrentUser() user: SecurityUser,
    @Param() path: Record<string, string>,
    @Query() query: EventQuery,
    @Body() body: unknown,
  ) {
    return this.page(user, path, query, () => parseEventFilter(body));
  }

  /** Deletes the entity's events the filter selects (of the caller's tenant). */
  @Post('events/:entityType/:entityId/clear')
  @HttpCode(200)
  @Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
  @ApiBody({ schema: { example: FILTER_EXAMPLE } })
  async clear(@CurrentUser() user: SecurityUser, @Param() path: Record<string, string>, @Query() query: EventQuery, @Body() body: unknown) {
    const entity = parseEntityId(path.entityType, path.entityId);
    await this.events.checkReadable(user, entity);
    const filter = parseEventFilter(body);
    await this.events.clear({ ...this.range(query), tenantId: user.tenantId, entityId: entity.id, eventType: filter.eventType, filter });
  }

  /** Body of the node's newest IN debug event, or an empty answer. */
  @Get('ruleNode/:ruleNodeId/debugIn')
  @Roles('TENANT_ADMIN')
  async debugIn(@CurrentUser() user: SecurityUser, @Param('ruleNodeId') ruleNodeId: string) {
    return this.events.latestDebugIn(user.tenantId, parseUuid(ruleNodeId));
  }

  /**
   * A page of events in ThingsBoard's order of checks: parameters, access to the entity, paging, then the
   * event type or filter (`what`).
   */
  private async page(user: SecurityUser, path: Record<string, string>, query: EventQuery, what: () => EventType | EventFilter) {
    const tenantId = requiredTenantId(query.tenantId);
    const entity: EntityId = parseEntityId(path.entityType, path.entityId);
    await this.events.checkReadable(user, entity, tenantId);
    const link = parsePageLink(query, EVENT_SORTABLE);
    const chosen = what();
    const selection: EventSelection =
      typeof chosen === 'string'
        ? { ...this.range(query), tenantId, entityId: entity.id, eventType: chosen }
        : { ...this.range(query), tenantId, entityId: entity.id, eventType: chosen.eventType, filter: chosen };
    const page = await this.events.page(selection, link);
    return { ...page, data: page.data.map((e) => eventInfoJson(e, entity.entityType)) };
  }

  private range(query: EventQuery) {
    return { startTime: optionalTime(query.startTime, 'startTime'), endTime: optionalTime(query.endTime, 'endTime') };
  }
}
