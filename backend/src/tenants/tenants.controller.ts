import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { TenantDto } from './dto/tenant.dto';
import { tenantJson } from './tenant.json';
import { TENANT_SORTABLE, TenantsService } from './tenants.service';

/** Tenant management is the platform operator's job (ThingsBoard's TenantController). */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller('api')
@Roles('SYS_ADMIN')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get('tenant/:tenantId')
  async get(@Param('tenantId') id: string) {
    return tenantJson(await this.tenants.get(id));
  }

  @Post('tenant')
  @HttpCode(200)
  async save(@CurrentUser() user: SecurityUser, @Body() body: TenantDto) {
    return tenantJson(await this.tenants.save(user, body));
  }

  @Delete('tenant/:tenantId')
  async delete(@CurrentUser() user: SecurityUser, @Param('tenantId') id: string): Promise<void> {
    await this.tenants.delete(user, id);
  }

  @Get('tenants')
  async page(@Query() query: PageQuery) {
    const page = await this.tenants.page(parsePageLink(query, TENANT_SORTABLE));
    return { ...page, data: page.data.map(tenantJson) };
  }
}
