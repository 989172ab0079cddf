import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { entityId, NULL_UUID, optionalEntityId } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { AuditLogEntity } from './audit-log.entity';
import { ACTION_TYPES, AUDIT_SORTABLE, AuditLogFilter, AuditLogService } from './audit-log.service';
import { parseUuid } from '../paging/uuid-param';

interface AuditQuery extends PageQuery {
  startTime?: string;
  endTime?: string;
  actionTypes?: string;
}

export function auditLogJson(log: AuditLogEntity) {
  return {
    id: { id: log.id },
    createdTime: log.createdTime,
    tenantId: entityId('TENANT', log.tenantId),
    customerId: entityId('CUSTOMER', log.customerId ?? NULL_UUID),
    entityId: log.entityType && log.entityId ? { entityType: log.entityType, id: log.entityId } : null,
    entityName: log.entityName,
    userId: optionalEntityId('USER', log.userId),
    userName: log.userName,
    actionType: log.actionType,
    actionData: log.actionData ?? {},
    actionStatus: log.actionStatus,
    actionFailureDetails: log.actionFailureDetails,
  };
}

@ApiTags('audit-log')
@ApiBearerAuth()
@Controller('api/audit/logs')
@Roles('SYS_ADMIN', 'TENANT_ADMIN')
export class AuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  all(@CurrentUser() user: SecurityUser, @Query() query: AuditQuery) {
    return this.page(user, query, {});
  }

  @Get('entity/:entityType/:entityId')
  byEntity(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') type: string,
    @Param('entityId') id: string,
    @Query() query: AuditQuery,
  ) {
    return this.page(user, query, { entityType: type.toUpperCase(), entityId: parseUuid(id) });
  }

  @Get('user/:userId')
  @Roles('TENANT_ADMIN')
  byUser(@CurrentUser() user: SecurityUser, @Param('userId') id: string, @Query() query: AuditQuery) {
    return this.page(user, query, { userId: parseUuid(id) });
  }

  @Get('customer/:customerId')
  @Roles('TENANT_ADMIN')
  byCustomer(@CurrentUser() user: SecurityUser, @Param('customerId') id: string, @Query() query: AuditQuery) {
    return this.page(user, query, { customerId: parseUuid(id) });
  }

  private async page(user: SecurityUser, query: AuditQuery, filter: Partial<AuditLogFilter>) {
    const link = parsePageLink(query, AUDIT_SORTABLE);
    const actionTypes = query.actionTypes
      ?.split(',')
      .map((t) => t.trim().toUpperCase())
      .filter(Boolean);
    const unknown = actionTypes?.find((t) => !(ACTION_TYPES as readonly string[]).includes(t));
    if (unknown) throw ApiError.badRequest(`Unknown action type '${unknown}'. Use any of: ${ACTION_TYPES.join(', ')}`);
    const page = await this.audit.find(
      user.tenantId,
      { startTime: Number(query.startTime ?? 1), endTime: Number(query.endTime ?? Date.now()), actionTypes, ...filter },
      link,
    );
    return { ...page, data: page.data.map(auditLogJson) };
  }
}
