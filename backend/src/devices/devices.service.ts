import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { checkAccess, customerScope } from '../access/tenant-access';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import { CustomerEntity } from '../customers/customer.entity';
import { CustomersService } from '../customers/customers.service';
import { NULL_UUID } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { updateVersioned } from '../database/versioned-update';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { DeviceProfilesService } from '../device-profiles/device-profiles.service';
import { ApiError } from '../errors/api-error';
import { checkOtaAssignment } from '../ota/ota-assignment';
import { PageData, PageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { CoreMessages } from '../rule-engine/core-messages';
import { CredentialsInput, generateAccessToken, normalizeCredentials } from './device-credentials.rules';
import { DeviceCredentialsEntity, DeviceEntity } from './device.entity';
import { insertDeviceWithCredentials } from './device-creation';
import { DeviceEvents } from './device-events';
import { isSqlTrue, joinServerAttribute, pageOfDevices } from './device-page';
import { validateDeviceSnmpConfiguration } from './snmp-transport-configuration';
import { DeviceInfoExtras, defaultDeviceData } from './device.json';
import type { DeviceCredentialsDto, DeviceDto } from './dto/device.dto';

/** API sort names → SQL of the device page query (aliases d = device, p = profile, c = customer). */
export const DEVICE_SORTABLE = {
  createdTime: 'd.created_time',
  name: 'd.name',
  label: 'd.label',
  type: 'd.type',
  deviceProfileName: 'p.name',
  customerTitle: 'c.title',
};

export interface DeviceFilter {
  customerId?: string;
  type?: string;
  deviceProfileId?: string;
  active?: boolean;
}

const NAME_MAX = 255;

@Injectable()
export class DevicesService {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(DeviceCredentialsEntity) private readonly credentials: Repository<DeviceCredentialsEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly profiles: DeviceProfilesService,
    private readonly customers: CustomersService,
    private readonly audit: AuditLogService,
    private readonly events: DeviceEvents,
    private readonly messages: CoreMessages,
  ) {}

  async get(user: SecurityUser, id: string): Promise<DeviceEntity> {
    const deviceId = parseUuid(id);
    return checkAccess(user, 'DEVICE', deviceId, await this.devices.findOneBy({ id: deviceId }));
  }

  async findByName(user: SecurityUser, name: string): Promise<DeviceEntity> {
    const device = await this.devices.findOneBy({ tenantId: user.tenantId, name });
    if (!device || (customerScope(user) && device.customerId !== user.customerId)) throw ApiError.notFound();
    return device;
  }

  /** Creates (no id) or updates (with id) a device; a new device gets ACCESS_TOKEN credentials. */
  save(user: SecurityUser, dto: DeviceDto, accessToken?: string): Promise<DeviceEntity> {
    const credentials = { credentialsType: 'ACCESS_TOKEN', credentialsId: accessToken || generateAccessToken(), credentialsValue: null };
    return this.saveDevice(user, dto, dto.id?.id ? undefined : credentials);
  }

  saveWithCredentials(user: SecurityUser, dto: DeviceDto, credentials: DeviceCredentialsDto): Promise<DeviceEntity> {
    if (dto.id?.id)
      throw ApiError.badRequest(
        'device-with-credentials creates a device: remove device.id, or update credentials at POST /api/device/credentials',
      );
    return this.saveDevice(user, dto, credentials);
  }

  async delete(user: SecurityUser, id: string): Promise<DeviceEntity> {
    const device = await this.get(user, id);
    await this.db.transaction(async (tx) => {
      await tx.getRepository(DeviceCredentialsEntity).delete({ deviceId: device.id });
      await tx.getRepository(DeviceEntity).delete({ id: device.id });
      for (const table of ['attribute_kv', 'ts_kv_latest', 'ts_kv']) {
        await tx.createQueryBuilder().delete().from(table).where('entity_id = :id', { id: device.id }).execute();
      }
    });
    this.events.emit('deleted', device.id, device);
    await this.audit.recordDevice(user, device, 'DELETED');
    await this.messages.deviceChanged(user, 'ENTITY_DELETED', device);
    return device;
  }

  async page(
    user: SecurityUser,
    link: PageLink,
    filter: DeviceFilter,
  ): Promise<PageData<{ device: DeviceEntity; extras: DeviceInfoExtras }>> {
    const query = this.db
      .createQueryBuilder()
      .select('d.id', 'id')
      .addSelect('p.name', 'profileName')
      .addSelect('c.title', 'customerTitle')
      .addSelect('c.additional_info', 'customerInfo')
      .from('device', 'd')
      .leftJoin('device_profile', 'p', 'p.id = d.device_profile_id')
      .leftJoin('customer', 'c', 'c.id = d.customer_id')
      .where('d.tenant_id = :tenantId', { tenantId: user.tenantId });
    const active = joinServerAttribute(query, 'active');
    query.addSelect(`${active}.bool_v`, 'active');
    const customerId = customerScope(user) ?? filter.customerId;
    if (customerId) query.andWhere('d.customer_id = :customerId', { customerId });
    if (filter.type) query.andWhere('d.type = :type', { type: filter.type });
    if (filter.deviceProfileId) query.andWhere('d.device_profile_id = :profileId', { profileId: filter.deviceProfileId });
    if (filter.active !== undefined)
      query.andWhere(filter.active ? `${active}.bool_v = :yes` : `(${active}.bool_v IS NULL OR ${active}.bool_v = :no)`, {
        yes: true,
        no: false,
      });
    type Row = { id: string; profileName: string; customerTitle: string | null; customerInfo: string | null; active: unknown };
    return pageOfDevices(this.db, query, link, (device, row: Row) => ({
      device,
      extras: {
        customerTitle: row.customerTitle,
        customerIsPublic: row.customerInfo ? JSON.parse(row.customerInfo).isPublic === true : false,
        deviceProfileName: row.profileName,
        active: isSqlTrue(row.active),
      },
    }));
  }

  async assignToCustomer(
    user: SecurityUser,
    customerId: string,
    deviceId: string,
  ): Promise<{ device: DeviceEntity; customer: CustomerEntity }> {
    const customer = await this.customers.getForTenant(user.tenantId, parseUuid(customerId));
    const device = await this.get(user, deviceId);
    const assigned = await updateVersioned(this.devices, 'DEVICE', device, null, { customerId: customer.id });
    this.events.emit('updated', device.id);
    await this.audit.recordDevice(user, assigned, 'ASSIGNED_TO_CUSTOMER', { customerId: customer.id, customerTitle: customer.title });
    await this.messages.deviceAssigned(user, assigned, customer);
    return { device: assigned, customer };
  }

  async unassignFromCustomer(user: SecurityUser, deviceId: string): Promise<DeviceEntity> {
    const device = await this.get(user, deviceId);
    if (device.customerId === NULL_UUID) throw ApiError.badRequest("Device isn't assigned to any customer!");
    const customer = await this.customers.getForTenant(user.tenantId, device.customerId);
    const unassigned = await updateVersioned(this.devices, 'DEVICE', device, null, { customerId: NULL_UUID });
    this.events.emit('updated', device.id);
    await this.audit.recordDevice(user, device, 'UNASSIGNED_FROM_CUSTOMER');
    await this.messages.deviceUnassigned(user, unassigned, customer);
    return unassigned;
  }

  async getCredentials(user: SecurityUser, deviceId: string): Promise<DeviceCredentialsEntity> {
    const device = await this.get(user, deviceId);
    const creds = await this.credentials.findOneBy({ deviceId: device.id });
    if (!creds) throw ApiError.notFound(`Device [${device.name}] has no credentials; set them with POST /api/device/credentials`);
    return creds;
  }

  /** Replaces a device's credentials; the old ones stop working at once. */
  async updateCredentials(user: SecurityUser, dto: DeviceCredentialsDto): Promise<DeviceCredentialsEntity> {
    if (!dto.deviceId?.id) throw ApiError.badRequest('Device credentials should be assigned to device (deviceId)!');
    const device = await this.get(user, dto.deviceId.id);
    const stored = await this.credentials.findOneBy({ deviceId: device.id });
    if (!stored) throw ApiError.badRequest('Unable to update non-existent device credentials!');
    if (dto.id?.id && dto.id.id !== stored.id) throw ApiError.badRequest('Unable to update non-existent device credentials!');
    const normalized = normalizeCredentials(dto);
    try {
      await this.credentials.update({ id: stored.id }, { ...normalized, version: stored.version + 1 });
    } catch (e) {
      throw this.credentialsConflict(e);
    }
    this.events.emit('credentialsChanged', device.id, stored.credentialsId);
    await this.audit.recordDevice(user, device, 'CREDENTIALS_UPDATED');
    return (await this.credentials.findOneBy({ id: stored.id }))!;
  }

  private async saveDevice(user: SecurityUser, dto: DeviceDto, credentials?: CredentialsInput): Promise<DeviceEntity> {
    const existing = dto.id?.id ? await this.get(user, dto.id.id) : undefined;
    const name = dto.name?.trim();
    if (!name) throw ApiError.badRequest('Device name should be specified!');
    if (name.length > NAME_MAX) throw ApiError.badRequest(`Validation error: name length must be equal or less than ${NAME_MAX}`);
    validateDeviceSnmpConfiguration(dto.deviceData);
    const normalized = credentials ? normalizeCredentials(credentials) : undefined;
    const profile = await this.resolveProfile(user.tenantId, dto);
    const customerId = await this.resolveCustomer(user, dto, existing);
    const fields = {
      name,
      type: profile.name,
      label: dto.label ?? null,
      deviceProfileId: profile.id,
      customerId,
      deviceData: dto.deviceData ?? existing?.deviceData ?? defaultDeviceData(),
      additionalInfo: dto.additionalInfo ?? existing?.additionalInfo ?? {},
      // Absent keeps the assignment, null clears it (falling back to the profile's package).
      firmwareId: dto.firmwareId === undefined ? (existing?.firmwareId ?? null) : (dto.firmwareId?.id?.toLowerCase() ?? null),
      softwareId: dto.softwareId === undefined ? (existing?.softwareId ?? null) : (dto.softwareId?.id?.toLowerCase() ?? null),
    };
    let saved: DeviceEntity;
    try {
      saved = await this.db.transaction(async (tx) => {
        await checkOtaAssignment(tx, user.tenantId, profile.id, fields);
        if (existing) return updateVersioned(tx.getRepository(DeviceEntity), 'DEVICE', existing, dto.version, fields);
        return (await insertDeviceWithCredentials(tx, { tenantId: user.tenantId, ...fields }, normalized!)).device;
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const clash = await this.devices.findOneBy({ tenantId: user.tenantId, name });
      if (clash && clash.id !== existing?.id) throw ApiError.badRequest('Device with such name already exists!');
      throw this.credentialsConflict(e);
    }
    this.events.emit(existing ? 'updated' : 'created', saved.id);
    if (existing && existing.name !== saved.name) this.events.emit('renamed', saved, existing.name);
    await this.audit.recordDevice(user, saved, existing ? 'UPDATED' : 'ADDED');
    await this.messages.deviceChanged(user, existing ? 'ENTITY_UPDATED' : 'ENTITY_CREATED', saved);
    return saved;
  }

  private async resolveProfile(tenantId: string, dto: DeviceDto): Promise<DeviceProfileEntity> {
    if (dto.deviceProfileId?.id) {
      const profile = await this.db.getRepository(DeviceProfileEntity).findOneBy({ id: parseUuid(dto.deviceProfileId.id) });
      if (!profile || profile.tenantId !== tenantId) throw ApiError.badRequest('Device is referencing to non-existent device profile!');
      return profile;
    }
    if (dto.type?.trim()) return this.profiles.findOrCreateByName(tenantId, dto.type.trim());
    return this.profiles.getDefault(tenantId);
  }

  /** Customer users create devices for their own customer; admins may name a customer of their tenant. */
  private async resolveCustomer(user: SecurityUser, dto: DeviceDto, existing?: DeviceEntity): Promise<string> {
    if (user.authority === 'CUSTOMER_USER') return user.customerId;
    const requested = dto.customerId?.id;
    if (!requested || requested === NULL_UUID) return existing && !dto.customerId ? existing.customerId : NULL_UUID;
    return (await this.customers.getForTenant(user.tenantId, parseUuid(requested))).id;
  }

  private credentialsConflict(e: unknown): Error {
    return isUniqueViolation(e) ? ApiError.badRequest('Device credentials are already assigned to another device!') : (e as Error);
  }
}
