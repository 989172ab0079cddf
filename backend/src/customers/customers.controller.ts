import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { customerJson, isPublicCustomer } from './customer.json';
import { CUSTOMER_SORTABLE, CustomersService } from './customers.service';
import { CustomerDto, NameConflictQuery } from './dto/customer.dto';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get('customer/:customerId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async get(@CurrentUser() user: SecurityUser, @Param('customerId') id: string) {
    return customerJson(await this.customers.getReadable(user, id));
  }

  @Get('customer/:customerId/shortInfo')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async shortInfo(@CurrentUser() user: SecurityUser, @Param('customerId') id: string) {
    const customer = await this.customers.getReadable(user, id);
    return { title: customer.title, isPublic: isPublicCustomer(customer) };
  }

  @Get('customer/:customerId/title')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  @Header('Content-Type', 'application/text')
  async title(@CurrentUser() user: SecurityUser, @Param('customerId') id: string): Promise<string> {
    return (await this.customers.getReadable(user, id)).title;
  }

  @Post('customer')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  async save(@CurrentUser() user: SecurityUser, @Body() body: CustomerDto, @Query() naming: NameConflictQuery) {
    return customerJson(await this.customers.save(user, body, naming));
  }

  @Delete('customer/:customerId')
  @Roles('TENANT_ADMIN')
  async delete(@CurrentUser() user: SecurityUser, @Param('customerId') id: string): Promise<void> {
    await this.customers.delete(user, id);
  }

  @Get('customers')
  @Roles('TENANT_ADMIN')
  async page(@CurrentUser() user: SecurityUser, @Query() query: PageQuery) {
    const page = await this.customers.page(user.tenantId, parsePageLink(query, CUSTOMER_SORTABLE));
    return { ...page, data: page.data.map(customerJson) };
  }

  @Get('tenant/customers')
  @Roles('TENANT_ADMIN')
  async byTitle(@CurrentUser() user: SecurityUser, @Query('customerTitle') title?: string) {
    if (!title) throw ApiError.badRequest("Required request parameter 'customerTitle' is not present");
    return customerJson(await this.customers.getByTitle(user.tenantId, title));
  }

  @Get('customers/list')
  @Roles('TENANT_ADMIN')
  async list(@CurrentUser() user: SecurityUser, @Query('customerIds') ids?: string) {
    if (!ids) throw ApiError.badRequest("Required request parameter 'customerIds' is not present");
    const customers = await this.customers.listByIds(
      user.tenantId,
      ids.split(',').map((id) => id.trim()),
    );
    return customers.map(customerJson);
  }
}
