import type { EntityId } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import { NULL_UUID } from '../database/ids';
import { DeviceEntity } from '../devices/device.entity';
import { EntityDirectory, entityKey, EntityOwner, parseEntityId } from '../relations/entity-directory';

/** What alarms need to know about an entity they originate from or show on. */
export interface AlarmEntityInfo extends EntityId {
  tenantId: string;
  /** The entity's owning customer (ThingsBoard's `customerId` of an alarm); null when it belongs to the tenant only. */
  customerId: string | null;
  name: string;
  /** The label, or the name when there is none (ThingsBoard's alarm_info view). */
  label: string;
}

export { entityKey };

/**
 * The entities alarms refer to, read through the shared entity directory (owners, names, access rules), plus
 * device labels for AlarmInfo. Entity kinds the directory does not know are "not found".
 */
@Injectable()
export class AlarmEntities {
  constructor(
    private readonly directory: EntityDirectory,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
  ) {}

  async find(ref: EntityId): Promise<AlarmEntityInfo | undefined> {
    return (await this.findAll([ref])).get(entityKey(ref));
  }

  /** Every entity of `refs` that exists, by `entityKey`. */
  async findAll(refs: readonly EntityId[]): Promise<Map<string, AlarmEntityInfo>> {
    const owners = await this.directory.owners(refs);
    const deviceIds = refs.filter((r) => r.entityType === 'DEVICE' && owners.has(entityKey(r))).map((r) => r.id);
    const labels = new Map(
      deviceIds.length
        ? (await this.devices.find({ select: { id: true, label: true }, where: { id: In(deviceIds) } })).map((d) => [d.id, d.label])
        : [],
    );
    const found = new Map<string, AlarmEntityInfo>();
    for (const ref of refs) {
      const owner = owners.get(entityKey(ref));
      if (owner) found.set(entityKey(ref), info(ref, owner, labels.get(ref.id)));
    }
    return found;
  }

  /** The entity a path or body names, if the caller may read it: 400 for unknown kinds, 404 when missing, 403 when not the caller's. */
  async readable(user: SecurityUser, rawType: unknown, rawId: unknown, what = 'entity'): Promise<AlarmEntityInfo> {
    const ref = parseEntityId(rawType, rawId, what);
    const owner = await this.directory.readable(user, ref);
    const label = ref.entityType === 'DEVICE' ? (await this.devices.findOneBy({ id: ref.id }))?.label : undefined;
    return info(ref, owner, label);
  }
}

function info(ref: EntityId, owner: EntityOwner, label: string | null | undefined): AlarmEntityInfo {
  // As in ThingsBoard, only entities that belong to a customer (not the customer itself) give alarms a customer.
  const customerId = ref.entityType !== 'CUSTOMER' && owner.customerId !== NULL_UUID ? owner.customerId : null;
  return { entityType: ref.entityType, id: ref.id, tenantId: owner.tenantId, customerId, name: owner.name, label: label || owner.name };
}
