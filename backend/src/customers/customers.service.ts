import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { normalName } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { CustomerEntity } from './customer.entity';

@Injectable()
export class CustomersService {
  constructor(@InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>) {}

  /** The customer if it exists and belongs to the tenant: 404 when unknown, 403 when another tenant's. */
  async getForTenant(tenantId: string, id: string): Promise<CustomerEntity> {
    const customer = await this.customers.findOneBy({ id });
    if (!customer) throw ApiError.notFound(`${normalName('CUSTOMER')} with id [${id}] is not found`);
    if (customer.tenantId !== tenantId) throw ApiError.forbidden();
    return customer;
  }
}
