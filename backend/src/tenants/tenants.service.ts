import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { newId } from '../database/ids';
import { DeviceProfilesService } from '../device-profiles/device-profiles.service';
import { TenantEntity } from './tenant.entity';

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly deviceProfiles: DeviceProfilesService,
  ) {}

  /** A tenant comes with its default device profile, as in ThingsBoard. */
  async create(title: string): Promise<TenantEntity> {
    const tenant = await this.tenants.save({ id: newId(), createdTime: Date.now(), title, additionalInfo: {} });
    await this.deviceProfiles.createDefault(tenant.id);
    return tenant;
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.tenants.findOneBy({ id });
  }
}
