import { KeyedLock } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { JsonObject } from '../database/column-transformers';
import { isUniqueViolation } from '../database/unique-violation';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { DeviceProfilesService } from '../device-profiles/device-profiles.service';
import { generatedAccessToken, insertDeviceWithCredentials } from '../devices/device-creation';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { RelationEntity } from '../relations/relation.entity';
import { CoreMessages } from '../rule-engine/core-messages';

/** The relation from a gateway to each device it created (ThingsBoard's DefaultTransportApiService). */
export const CREATED_RELATION = 'Created';

/** `additionalInfo` member naming the gateway a child last connected through (device-api.md §4.3, §4.4). */
export const LAST_CONNECTED_GATEWAY = 'lastConnectedGateway';

/** A child device as its session needs it. */
export interface ChildDevice {
  device: DeviceEntity;
  profile: DeviceProfileEntity | null;
  /** The gateway's row as read for this connect (its flags may have changed since it authenticated). */
  gateway: DeviceEntity;
}

/** A lost race for the last-connected-gateway update is retried this often before the connect fails. */
const UPDATE_ATTEMPTS = 3;

const isPlainObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Finds or creates gateway child devices (device-api.md §4.3). A name is looked up in the gateway's tenant only.
 * A new device, its access-token credentials and the gateway's "Created" relation are written in one
 * transaction, so a failure leaves nothing behind; concurrent connects of one new name create it once (one at a
 * time per tenant and name in this process, and the unique name index against other writers).
 */
@Injectable()
export class GatewayChildDevices {
  private readonly creation = new KeyedLock();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly profiles: DeviceProfilesService,
    private readonly events: DeviceEvents,
    private readonly messages: CoreMessages,
  ) {}

  /** The gateway device's current row; undefined when it was deleted. */
  async gateway(gatewayId: string): Promise<DeviceEntity | undefined> {
    return (await this.db.getRepository(DeviceEntity).findOneBy({ id: gatewayId })) ?? undefined;
  }

  /**
   * The device named `name` in the gateway's tenant, created with profile `type` when absent. An existing device
   * keeps its type and profile; only its `lastConnectedGateway` is set to this gateway.
   */
  async findOrCreate(gatewayId: string, name: string, type: string): Promise<ChildDevice> {
    const gateway = await this.gateway(gatewayId);
    if (!gateway) throw new Error(`Gateway ${gatewayId} no longer exists; its child device ${name} was not connected`);
    return this.creation.run(`${gateway.tenantId}\n${name}`, async () => {
      const existing = await this.db.getRepository(DeviceEntity).findOneBy({ tenantId: gateway.tenantId, name });
      const device = existing ? await this.markConnectedThrough(existing, gateway) : await this.create(gateway, name, type);
      const profile = await this.db.getRepository(DeviceProfileEntity).findOneBy({ id: device.deviceProfileId });
      return { device, profile, gateway };
    });
  }

  private async create(gateway: DeviceEntity, name: string, type: string): Promise<DeviceEntity> {
    // The profile is its own entity (ThingsBoard creates it first too); SQLite runs one transaction at a time, so
    // it cannot be created inside the device's transaction through the profiles service.
    const profile = await this.profiles.findOrCreateByName(gateway.tenantId, type);
    let created: DeviceEntity;
    try {
      created = await this.db.transaction(async (tx) => {
        const { device } = await insertDeviceWithCredentials(
          tx,
          {
            tenantId: gateway.tenantId,
            customerId: gateway.customerId,
            name,
            type: profile.name,
            deviceProfileId: profile.id,
            additionalInfo: { [LAST_CONNECTED_GATEWAY]: gateway.id },
          },
          generatedAccessToken(),
        );
        await tx.getRepository(RelationEntity).insert({
          fromId: gateway.id,
          fromType: 'DEVICE',
          typeGroup: 'COMMON',
          type: CREATED_RELATION,
          toId: device.id,
          toType: 'DEVICE',
          tenantId: gateway.tenantId,
          additionalInfo: null,
        });
        return device;
      });
    } catch (e) {
      // Created meanwhile by someone else (REST, another node): that device is the child.
      const raced = isUniqueViolation(e) && (await this.db.getRepository(DeviceEntity).findOneBy({ tenantId: gateway.tenantId, name }));
      if (!raced) throw e;
      return this.markConnectedThrough(raced, gateway);
    }
    this.events.emit('created', created.id);
    await this.messages.deviceCreatedByGateway(created, gateway.id);
    return created;
  }

  /** Records the gateway in `additionalInfo.lastConnectedGateway` (under the row's version, retried if a save races). */
  private async markConnectedThrough(device: DeviceEntity, gateway: DeviceEntity): Promise<DeviceEntity> {
    const repo = this.db.getRepository(DeviceEntity);
    let current: DeviceEntity | null = device;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS && current; attempt++) {
      const info: unknown = current.additionalInfo ?? {};
      // As ThingsBoard: only an object can carry the member; anything else is left as the user saved it.
      if (!isPlainObject(info) || info[LAST_CONNECTED_GATEWAY] === gateway.id) return current;
      const additionalInfo: JsonObject = { ...info, [LAST_CONNECTED_GATEWAY]: gateway.id };
      const changed = await repo.update({ id: current.id, version: current.version }, { additionalInfo, version: current.version + 1 });
      const reread: DeviceEntity | null = await repo.findOneBy({ id: current.id });
      if (changed.affected && reread) {
        this.events.emit('updated', reread.id);
        return reread;
      }
      current = reread;
    }
    if (!current) throw new Error(`Device ${device.name} was deleted while its gateway connected it; connect it again`);
    throw new Error(`Device ${device.name} kept changing while its gateway connected it; connect it again`);
  }
}
