import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { customerScope } from '../access/tenant-access';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { CustomersService } from '../customers/customers.service';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { TenantsService } from '../tenants/tenants.service';
import { UserDto } from './dto/user.dto';
import type { Authority, UserEntity } from './user.entity';
import { userJson } from './user.json';
import { UserCredentialsService } from './user-credentials.service';
import { USER_SORTABLE, UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly credentials: UserCredentialsService,
    private readonly customers: CustomersService,
    private readonly tenants: TenantsService,
  ) {}

  @Get('user/:userId')
  async get(@CurrentUser() caller: SecurityUser, @Param('userId') id: string) {
    return this.json(await this.users.getAccessible(caller, id));
  }

  /**
   * Edgewise sends no e-mail (edge installs have no mail server), so `sendActivationMail` is ignored: the new
   * user is created awaiting activation, and the admin hands out GET /api/user/{userId}/activationLink.
   */
  @Post('user')
  @HttpCode(200)
  async save(@CurrentUser() caller: SecurityUser, @Body() body: UserDto) {
    return this.json(await this.users.save(caller, body));
  }

  @Delete('user/:userId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async delete(@CurrentUser() caller: SecurityUser, @Param('userId') id: string): Promise<void> {
    await this.users.delete(caller, id);
  }

  /** Tenant admins see the whole tenant, customer users their own customer's users. */
  @Get('users')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  page(@CurrentUser() caller: SecurityUser, @Query() query: PageQuery) {
    return this.scopedPage({ tenantId: caller.tenantId, customerId: customerScope(caller) }, query);
  }

  @Get('customer/:customerId/users')
  @Roles('TENANT_ADMIN')
  async customerUsers(@CurrentUser() caller: SecurityUser, @Param('customerId') id: string, @Query() query: PageQuery) {
    const customer = await this.customers.getForTenant(caller.tenantId, parseUuid(id));
    return this.scopedPage({ tenantId: caller.tenantId, customerId: customer.id }, query);
  }

  @Get('tenant/:tenantId/users')
  @Roles('SYS_ADMIN')
  async tenantAdmins(@Param('tenantId') id: string, @Query() query: PageQuery) {
    const tenant = await this.tenants.get(id);
    return this.scopedPage({ tenantId: tenant.id, authority: 'TENANT_ADMIN' }, query);
  }

  @Get('user/:userId/activationLink')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  @Header('Content-Type', 'text/plain')
  async activationLink(@CurrentUser() caller: SecurityUser, @Param('userId') id: string, @Req() request: Request): Promise<string> {
    const token = await this.credentials.activationToken(caller, id);
    return `${request.protocol}://${request.get('host')}/api/noauth/activate?activateToken=${token}`;
  }

  @Post('user/sendActivationMail')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  sendActivationMail(): never {
    throw ApiError.badRequest('Edgewise does not send e-mail: give the user the link from GET /api/user/{userId}/activationLink instead');
  }

  @Post('user/:userId/userCredentialsEnabled')
  @HttpCode(200)
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async setCredentialsEnabled(
    @CurrentUser() caller: SecurityUser,
    @Param('userId') id: string,
    @Query('userCredentialsEnabled') enabled = 'true',
  ): Promise<void> {
    if (enabled !== 'true' && enabled !== 'false')
      throw ApiError.badRequest(`userCredentialsEnabled must be true or false, got '${enabled}'`);
    await this.credentials.setEnabled(caller, id, enabled === 'true');
  }

  private async scopedPage(scope: { tenantId: string; customerId?: string; authority?: Authority }, query: PageQuery) {
    const page = await this.users.page(scope, parsePageLink(query, USER_SORTABLE));
    const credentials = await this.users.credentialsByUser(page.data);
    return { ...page, data: page.data.map((user) => userJson(user, credentials.get(user.id))) };
  }

  private async json(user: UserEntity) {
    return userJson(user, await this.users.credentialsOf(user.id));
  }
}
