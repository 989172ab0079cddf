import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import { newId } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { updateVersioned } from '../database/versioned-update';
import { DeviceEntity } from '../devices/device.entity';
import { validateProfileSnmpConfiguration } from '../devices/snmp-transport-configuration';
import { ApiError } from '../errors/api-error';
import { checkOtaAssignment } from '../ota/ota-assignment';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { QueuesService } from '../queues/queues.service';
import { RuleChainEntity } from '../rule-chains/rule-chain.entity';
import { DeviceProfileEntity, ProvisionType, TransportType } from './device-profile.entity';
import { DeviceProfileEvents } from './device-profile-events';
import { defaultProfileData } from './device-profile.json';
import { provisionKeyTakenMessage, validateProvisionSettings } from './provision-settings';
import type { DeviceProfileDto } from './dto/device-profile.dto';

const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];

export const DEVICE_PROFILE_SORTABLE = {
  createdTime: 'createdTime',
  name: 'name',
  type: 'type',
  transportType: 'transportType',
  description: 'description',
  isDefault: 'isDefault',
};

@Injectable()
export class DeviceProfilesService {
  constructor(
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLogService,
    private readonly events: DeviceProfileEvents,
    private readonly queues: QueuesService,
  ) {}

  createDefault(tenantId: string): Promise<DeviceProfileEntity> {
    return this.insertNew(tenantId, 'default', { isDefault: true, description: 'Default device profile' });
  }

  async get(user: SecurityUser, id: string): Promise<DeviceProfileEntity> {
    const profileId = parseUuid(id);
    return checkAccess(user, 'DEVICE_PROFILE', profileId, await this.profiles.findOneBy({ id: profileId }));
  }

  async getDefault(tenantId: string): Promise<DeviceProfileEntity> {
    const profile = await this.profiles.findOneBy({ tenantId, isDefault: true });
    if (!profile) throw ApiError.notFound('This tenant has no default device profile');
    return profile;
  }

  /** Devices created with a `type` naming no profile get a profile of that name (device-api.md §4.3). */
  async findOrCreateByName(tenantId: string, name: string): Promise<DeviceProfileEntity> {
    const existing = await this.profiles.findOneBy({ tenantId, name });
    if (existing) return existing;
    try {
      return await this.insertNew(tenantId, name, { isDefault: false, description: null });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return (await this.profiles.findOneBy({ tenantId, name }))!; // created concurrently
    }
  }

  async page(tenantId: string, link: PageLink, transportType?: string): Promise<PageData<DeviceProfileEntity>> {
    const query = this.profiles.createQueryBuilder('p').where('p.tenantId = :tenantId', { tenantId });
    if (transportType) query.andWhere('p.transportType = :transportType', { transportType });
    if (link.textSearch) query.andWhere(`LOWER(p.name) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    if (link.sortProperty) query.orderBy(`p.${link.sortProperty}`, link.sortOrder);
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  async names(tenantId: string, activeOnly: boolean): Promise<DeviceProfileEntity[]> {
    const query = this.profiles.createQueryBuilder('p').where('p.tenantId = :tenantId', { tenantId }).orderBy('p.name', 'ASC');
    if (activeOnly) query.andWhere('EXISTS (SELECT 1 FROM device d WHERE d.device_profile_id = p.id)');
    return query.getMany();
  }

  async save(user: SecurityUser, dto: DeviceProfileDto): Promise<DeviceProfileEntity> {
    const tenantId = user.tenantId;
    const existing = dto.id?.id ? await this.get(user, dto.id.id) : undefined;
    this.validate(dto);
    await this.checkRuleChain(tenantId, dto.defaultRuleChainId?.id);
    await this.checkQueue(dto.defaultQueueName);
    if (dto.default && !existing?.isDefault) {
      throw ApiError.badRequest('Another default device profile is present in scope of current tenant!');
    }

    const fields = {
      name: dto.name!.trim(),
      description: dto.description ?? null,
      image: dto.image ?? null,
      type: dto.type!,
      transportType: dto.transportType as TransportType,
      provisionType: (dto.provisionType ?? 'DISABLED') as ProvisionType,
      provisionDeviceKey: dto.provisionDeviceKey || null,
      defaultRuleChainId: dto.defaultRuleChainId?.id ?? null,
      defaultDashboardId: dto.defaultDashboardId?.id ?? null,
      defaultQueueName: dto.defaultQueueName ?? null,
      defaultEdgeRuleChainId: dto.defaultEdgeRuleChainId?.id ?? null,
      firmwareId: dto.firmwareId?.id?.toLowerCase() ?? null,
      softwareId: dto.softwareId?.id?.toLowerCase() ?? null,
      profileData: dto.profileData!,
    };

    try {
      const saved = await this.db.transaction(async (tx) => {
        const repo = tx.getRepository(DeviceProfileEntity);
        // A new profile has no packages of its own yet: nothing can be assigned to it.
        await checkOtaAssignment(tx, tenantId, existing?.id ?? '', fields);
        if (!existing) {
          return repo.save({ id: newId(), createdTime: Date.now(), tenantId, isDefault: false, externalId: null, ...fields });
        }
        const devices = await tx.getRepository(DeviceEntity).countBy({ deviceProfileId: existing.id });
        if (devices > 0 && fields.type !== existing.type)
          throw ApiError.badRequest("Can't change device profile type because devices referenced it!");
        if (devices > 0 && fields.transportType !== existing.transportType) {
          throw ApiError.badRequest("Can't change device profile transport type because devices referenced it!");
        }
        const updated = await updateVersioned(repo, 'DEVICE_PROFILE', existing, dto.version, fields);
        if (fields.name !== existing.name) {
          await tx.getRepository(DeviceEntity).update({ deviceProfileId: existing.id }, { type: fields.name });
        }
        return updated;
      });
      await this.audit.record({
        user,
        entityType: 'DEVICE_PROFILE',
        entityId: saved.id,
        entityName: saved.name,
        actionType: existing ? 'UPDATED' : 'ADDED',
      });
      this.events.emit('changed', saved.id);
      return saved;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const byName = await this.profiles.findOneBy({ tenantId, name: fields.name });
      if (byName && byName.id !== existing?.id) throw ApiError.badRequest('Device profile with such name already exists!');
      throw ApiError.badRequest(provisionKeyTakenMessage(fields.provisionType));
    }
  }

  async setDefault(user: SecurityUser, id: string): Promise<DeviceProfileEntity> {
    const profile = await this.get(user, id);
    await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(DeviceProfileEntity);
      await repo.update({ tenantId: user.tenantId, isDefault: true }, { isDefault: false });
      await repo.update({ id: profile.id }, { isDefault: true });
    });
    return (await this.profiles.findOneBy({ id: profile.id }))!;
  }

  async delete(user: SecurityUser, id: string): Promise<void> {
    const profile = await this.get(user, id);
    if (profile.isDefault) throw ApiError.badRequest('Deletion of Default Device Profile is prohibited!');
    await this.db.transaction(async (tx) => {
      if ((await tx.getRepository(DeviceEntity).countBy({ deviceProfileId: profile.id })) > 0) {
        throw ApiError.badRequest('The device profile referenced by the devices cannot be deleted!');
      }
      await tx.getRepository(DeviceProfileEntity).delete({ id: profile.id });
    });
    await this.audit.record({ user, entityType: 'DEVICE_PROFILE', entityId: profile.id, entityName: profile.name, actionType: 'DELETED' });
    this.events.emit('changed', profile.id);
  }

  private async checkRuleChain(tenantId: string, ruleChainId: string | undefined): Promise<void> {
    if (ruleChainId && !(await this.db.getRepository(RuleChainEntity).existsBy({ id: ruleChainId, tenantId, type: 'CORE' }))) {
      throw ApiError.badRequest("Can't assign non-existent rule chain!");
    }
  }

  /** A named queue must be one the rule engine runs (rest-api.md §6). */
  private async checkQueue(queueName: string | null | undefined): Promise<void> {
    if (queueName && !(await this.queues.findAll()).some((queue) => queue.name === queueName)) {
      throw ApiError.badRequest('Device profile is referencing to non-existent queue!');
    }
  }

  private validate(dto: DeviceProfileDto) {
    if (!dto.name?.trim()) throw ApiError.badRequest('Device profile name should be specified!');
    if (!dto.type) throw ApiError.badRequest('Device profile type should be specified!');
    if (!dto.transportType) throw ApiError.badRequest('Device profile transport type should be specified!');
    const data = dto.profileData;
    if (!data || typeof data.transportConfiguration !== 'object' || data.transportConfiguration === null) {
      throw ApiError.badRequest(
        'Device profile data should be specified, with profileData.transportConfiguration (e.g. {"type":"DEFAULT"})!',
      );
    }
    validateProfileSnmpConfiguration(dto.transportType, data.transportConfiguration);
    // Edge chains, dashboards and OTA packages arrive with later features: until then no id can exist.
    if (dto.defaultEdgeRuleChainId) throw ApiError.badRequest("Can't assign non-existent rule chain!");
    if (dto.defaultDashboardId) throw ApiError.badRequest("Can't assign non-existent dashboard!");
    this.validateAlarms(data.alarms);
    validateProvisionSettings(dto);
  }

  private validateAlarms(alarms: unknown) {
    if (alarms == null) return;
    if (!Array.isArray(alarms)) throw ApiError.badRequest('profileData.alarms must be a list of alarm rules or null');
    const seen = new Set<string>();
    for (const alarm of alarms as Array<{ alarmType?: string; createRules?: Record<string, unknown> }>) {
      if (!alarm?.alarmType?.trim()) throw ApiError.badRequest('Alarm rule type should be specified!');
      if (seen.has(alarm.alarmType))
        throw ApiError.badRequest(`Can't create device profile with the same alarm rule types: "${alarm.alarmType}"!`);
      seen.add(alarm.alarmType);
      const unknown = Object.keys(alarm.createRules ?? {}).find((s) => !SEVERITIES.includes(s));
      if (unknown) throw ApiError.badRequest(`Unknown alarm severity "${unknown}": use ${SEVERITIES.join(', ')}`);
    }
  }

  private insertNew(tenantId: string, name: string, extra: { isDefault: boolean; description: string | null }) {
    return this.profiles.save({
      id: newId(),
      createdTime: Date.now(),
      tenantId,
      name,
      image: null,
      type: 'DEFAULT',
      transportType: 'DEFAULT',
      provisionType: 'DISABLED',
      provisionDeviceKey: null,
      defaultRuleChainId: null,
      defaultDashboardId: null,
      defaultQueueName: null,
      defaultEdgeRuleChainId: null,
      firmwareId: null,
      softwareId: null,
      externalId: null,
      profileData: defaultProfileData(),
      ...extra,
    });
  }
}
