import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { queueJson } from './queue.json';
import { QUEUE_SORTABLE, QueuesService } from './queues.service';

/** ThingsBoard's ServiceType values; only the rule engine has queues here. */
const SERVICE_TYPES = ['TB_CORE', 'TB_RULE_ENGINE', 'TB_TRANSPORT', 'JS_EXECUTOR', 'TB_VC_EXECUTOR', 'EDQS', 'TASK_PROCESSOR'];

function requiredServiceType(serviceType: string | undefined): string {
  if (!serviceType) throw ApiError.badRequest("Required request parameter 'serviceType' is not present");
  return serviceType;
}

/** `serviceType` as ThingsBoard reads it: `-` and `_` and letter case are interchangeable (`tb-rule-engine`). */
function isRuleEngine(serviceType: string): boolean {
  const type = serviceType.replace(/-/g, '_').toUpperCase();
  if (!SERVICE_TYPES.includes(type))
    throw ApiError.badRequest(`Unsupported service type '${serviceType}': use one of ${SERVICE_TYPES.join(', ')}`);
  return type === 'TB_RULE_ENGINE';
}

const SERVICE_TYPE_DOC = { name: 'serviceType', example: 'TB_RULE_ENGINE', description: 'only TB_RULE_ENGINE has queues' };

/** Rule-engine queues (rest-api.md §6): the sysadmin edits them, tenant administrators read them. */
@ApiTags('queues')
@ApiBearerAuth()
@Controller('api')
export class QueuesController {
  constructor(private readonly queues: QueuesService) {}

  @Get('queues')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  @ApiQuery(SERVICE_TYPE_DOC)
  async page(@Query() query: PageQuery & { serviceType?: string }) {
    const serviceType = requiredServiceType(query.serviceType);
    const link = parsePageLink(query, QUEUE_SORTABLE);
    if (!isRuleEngine(serviceType)) return { data: [], totalPages: 0, totalElements: 0, hasNext: false };
    const page = await this.queues.page(link);
    return { ...page, data: page.data.map(queueJson) };
  }

  @Get('queues/name/:queueName')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async byName(@Param('queueName') name: string) {
    return queueJson(await this.queues.getByName(name));
  }

  @Get('queues/:queueId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async get(@Param('queueId') id: string) {
    return queueJson(await this.queues.get(id));
  }

  /** Other service types answer 200 with an empty body, as in ThingsBoard. */
  @Post('queues')
  @HttpCode(200)
  @Roles('SYS_ADMIN')
  @ApiQuery(SERVICE_TYPE_DOC)
  async save(@Body() body: unknown, @Query('serviceType') serviceType?: string) {
    if (!isRuleEngine(requiredServiceType(serviceType))) return undefined;
    return queueJson(await this.queues.save(body));
  }

  @Delete('queues/:queueId')
  @Roles('SYS_ADMIN')
  async delete(@Param('queueId') id: string): Promise<void> {
    await this.queues.delete(id);
  }
}
