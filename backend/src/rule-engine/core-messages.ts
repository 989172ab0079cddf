import type { EntityId, MsgType } from '@edgewise/plugin-api';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import type { CustomerEntity } from '../customers/customer.entity';
import { NULL_UUID } from '../database/ids';
import { DeviceProfileCache } from '../device-profiles/device-profile-cache';
import { DeviceEntity } from '../devices/device.entity';
import { deviceJson } from '../devices/device.json';
import type { AttributeScope, KvEntry, TsKvEntry } from '../telemetry/kv-entry';
import { kvObjectJson } from '../telemetry/kv-json';
import { UserEntity } from '../users/user.entity';
import { MAIN_QUEUE, RuleQueueService } from './queue/rule-queue.service';

/** What a rule message says; `submit` gives it its id, timestamp and queue. */
export interface MsgContent {
  type: MsgType;
  originator: EntityId;
  /** The message's customer; NULL_UUID or null for none. */
  customerId: string | null;
  metadata: Record<string, string>;
  /** JSON text. */
  data: string;
}

/** Where a message starts: a rule chain (none: the tenant's root chain) and a queue. */
export interface MsgRoute {
  queueName: string;
  ruleChainId?: string;
}

const DEFAULT_ROUTE: MsgRoute = { queueName: MAIN_QUEUE };

/** The device fields core messages about a device carry. */
export type DeviceRef = Pick<DeviceEntity, 'id' | 'tenantId' | 'customerId' | 'name' | 'label' | 'type' | 'deviceProfileId'>;

export type DeviceStateMsgType = 'CONNECT_EVENT' | 'DISCONNECT_EVENT' | 'ACTIVITY_EVENT' | 'INACTIVITY_EVENT';

/** ThingsBoard's DeviceState as the state events carry it (device-api.md §5.1); CONNECT_EVENT leaves out `active`. */
export interface DeviceStateJson {
  active?: boolean;
  lastConnectTime: number;
  lastActivityTime: number;
  lastDisconnectTime: number;
  lastInactivityAlarmTime: number;
  inactivityTimeout: number;
}

export type AlarmMsgType =
  'ENTITY_CREATED' | 'ENTITY_UPDATED' | 'ALARM_ACK' | 'ALARM_CLEAR' | 'ALARM_DELETE' | 'ALARM_ASSIGNED' | 'ALARM_UNASSIGNED';

/** The alarm fields its messages need; the message data is the alarm JSON the caller hands over. */
interface AlarmRef {
  type: string;
  originatorType: string;
  originatorId: string;
  customerId: string | null;
}

/** A user's action as ThingsBoard's EntityActionService turns it into a message. */
interface UserAction {
  type: MsgType;
  originator: EntityId;
  deviceProfileId?: string;
  /** The entity acted on, when there is one: adds the `entityName` and `entityType` metadata. */
  entityName?: string;
  /** Falls back to the user's customer, as in ThingsBoard. */
  customerId?: string | null;
  metadata?: Record<string, string>;
  data: string;
}

const deviceOriginator = (deviceId: string): EntityId => ({ entityType: 'DEVICE', id: deviceId });

/**
 * The one way messages enter the rule engine: device uplinks, REST server RPC, and the events the core itself
 * raises — device state changes and users' actions through the REST API — with ThingsBoard's types, metadata
 * and data (DefaultDeviceStateService, EntityActionService). Every message about a device travels on its
 * profile's rule chain and queue, as ThingsBoard's `pushMsgToRuleEngine` routes it.
 *
 * The event methods never throw: the change they report is already committed, so a message that cannot be
 * queued is logged (as ThingsBoard does) rather than failing the request that made the change.
 */
@Injectable()
export class CoreMessages {
  private readonly logger = new Logger('CoreMessages');

  constructor(
    private readonly queue: RuleQueueService,
    private readonly profiles: DeviceProfileCache,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  /** The route of a device's messages: its profile's rule chain and queue, else the root chain on Main. */
  async deviceRoute(deviceProfileId: string): Promise<MsgRoute> {
    const profile = await this.profiles.get(deviceProfileId);
    return { queueName: profile?.defaultQueueName || MAIN_QUEUE, ruleChainId: profile?.defaultRuleChainId ?? undefined };
  }

  /** Queues a message; resolves once it is durably queued (only then may a device be acknowledged). */
  submit(tenantId: string, content: MsgContent, route: MsgRoute = DEFAULT_ROUTE): Promise<void> {
    const { customerId, ...rest } = content;
    return this.queue.submit({
      tenantId,
      ruleChainId: route.ruleChainId,
      msg: {
        id: randomUUID(),
        ts: Date.now(),
        ...rest,
        customerId: customerId && customerId !== NULL_UUID ? customerId : null,
        dataType: 'JSON',
        queueName: route.queueName,
      },
    });
  }

  /** CONNECT_EVENT, DISCONNECT_EVENT, ACTIVITY_EVENT, INACTIVITY_EVENT (device-api.md §5.1). */
  deviceState(type: DeviceStateMsgType, device: DeviceRef, state: DeviceStateJson): Promise<void> {
    const metadata: Record<string, string> = { deviceName: device.name, deviceType: device.type, scope: 'SERVER_SCOPE' };
    if (device.label !== null) metadata.deviceLabel = device.label;
    return this.reported(type, device.id, async () =>
      this.submit(
        device.tenantId,
        { type, originator: deviceOriginator(device.id), customerId: device.customerId, metadata, data: JSON.stringify(state) },
        await this.deviceRoute(device.deviceProfileId),
      ),
    );
  }

  /** ATTRIBUTES_UPDATED after a user saved attributes: data `{"key":value}` with the stored types. */
  attributesUpdated(user: SecurityUser, device: DeviceRef, scope: AttributeScope, entries: readonly KvEntry[]): Promise<void> {
    return this.userAction(user, {
      ...this.aboutDevice(device),
      type: 'ATTRIBUTES_UPDATED',
      metadata: { scope },
      data: kvObjectJson(entries),
    });
  }

  /** ATTRIBUTES_DELETED: data `{"attributes":["key"]}` with the keys the user named. */
  attributesDeleted(user: SecurityUser, device: DeviceRef, scope: AttributeScope, keys: readonly string[]): Promise<void> {
    return this.userAction(user, {
      ...this.aboutDevice(device),
      type: 'ATTRIBUTES_DELETED',
      metadata: { scope },
      data: JSON.stringify({ attributes: keys }),
    });
  }

  /** TIMESERIES_UPDATED after a user saved timeseries: data `{"timeseries":[{"ts":…,"values":{…}}]}`, one item per ts. */
  timeseriesUpdated(user: SecurityUser, device: DeviceRef, points: readonly TsKvEntry[]): Promise<void> {
    const byTs = new Map<number, TsKvEntry[]>();
    for (const point of points) {
      const group = byTs.get(point.ts);
      if (group) group.push(point);
      else byTs.set(point.ts, [point]);
    }
    const items = [...byTs].map(([ts, group]) => `{"ts":${ts},"values":${kvObjectJson(group)}}`);
    return this.userAction(user, { ...this.aboutDevice(device), type: 'TIMESERIES_UPDATED', data: `{"timeseries":[${items.join(',')}]}` });
  }

  /** TIMESERIES_DELETED: data `{"timeseries":["key"],"startTs":…,"endTs":…}`. */
  timeseriesDeleted(user: SecurityUser, device: DeviceRef, keys: readonly string[], startTs: number, endTs: number): Promise<void> {
    return this.userAction(user, {
      ...this.aboutDevice(device),
      type: 'TIMESERIES_DELETED',
      data: JSON.stringify({ timeseries: keys, startTs, endTs }),
    });
  }

  /** ENTITY_CREATED / ENTITY_UPDATED / ENTITY_DELETED of a device: data is the device JSON (as it was, when deleted). */
  deviceChanged(user: SecurityUser, type: 'ENTITY_CREATED' | 'ENTITY_UPDATED' | 'ENTITY_DELETED', device: DeviceEntity): Promise<void> {
    return this.userAction(user, this.deviceAction(type, device));
  }

  /**
   * ENTITY_CREATED of a device a gateway's child connect created (device-api.md §4.3): no user, metadata `gatewayId`
   * (and `customerId` when the device has one), as ThingsBoard's DefaultTransportApiService sends it.
   */
  deviceCreatedByGateway(device: DeviceEntity, gatewayId: string): Promise<void> {
    const metadata: Record<string, string> = device.customerId !== NULL_UUID ? { customerId: device.customerId, gatewayId } : { gatewayId };
    return this.reported('ENTITY_CREATED', device.id, async () =>
      this.submit(
        device.tenantId,
        {
          type: 'ENTITY_CREATED',
          originator: deviceOriginator(device.id),
          customerId: device.customerId,
          metadata,
          data: JSON.stringify(deviceJson(device)),
        },
        await this.deviceRoute(device.deviceProfileId),
      ),
    );
  }

  /** ENTITY_ASSIGNED: the device as assigned, `assignedCustomerId` / `assignedCustomerName` in the metadata. */
  deviceAssigned(user: SecurityUser, device: DeviceEntity, customer: CustomerEntity): Promise<void> {
    return this.userAction(user, {
      ...this.deviceAction('ENTITY_ASSIGNED', device),
      customerId: customer.id,
      metadata: { assignedCustomerId: customer.id, assignedCustomerName: customer.title },
    });
  }

  /** ENTITY_UNASSIGNED: the device as unassigned, the customer it left as the message's customer and in the metadata. */
  deviceUnassigned(user: SecurityUser, device: DeviceEntity, customer: CustomerEntity): Promise<void> {
    return this.userAction(user, {
      ...this.deviceAction('ENTITY_UNASSIGNED', device),
      customerId: customer.id,
      metadata: { unassignedCustomerId: customer.id, unassignedCustomerName: customer.title },
    });
  }

  /**
   * A user's change to an alarm. As in ThingsBoard the originator is the alarm's originator, `entityName` the
   * alarm type, and the data the alarm JSON (AlarmInfo; the plain Alarm for ALARM_DELETE).
   */
  alarmChanged(user: SecurityUser, type: AlarmMsgType, alarm: AlarmRef, alarmJson: object): Promise<void> {
    return this.userAction(user, {
      type,
      originator: { entityType: alarm.originatorType as EntityId['entityType'], id: alarm.originatorId },
      entityName: alarm.type,
      customerId: alarm.customerId,
      data: JSON.stringify(alarmJson),
    });
  }

  private aboutDevice(device: DeviceRef): Pick<UserAction, 'originator' | 'deviceProfileId'> {
    return { originator: deviceOriginator(device.id), deviceProfileId: device.deviceProfileId };
  }

  private deviceAction(type: MsgType, device: DeviceEntity): UserAction {
    return {
      ...this.aboutDevice(device),
      type,
      entityName: device.name,
      customerId: device.customerId,
      data: JSON.stringify(deviceJson(device)),
    };
  }

  /** Sends a user's action with the metadata ThingsBoard gives every one: who did it, the customer, the entity acted on. */
  private userAction(user: SecurityUser, action: UserAction): Promise<void> {
    return this.reported(action.type, action.originator.id, async () => {
      const names = await this.users.findOne({ where: { id: user.id }, select: { id: true, firstName: true, lastName: true } });
      const customerId = action.customerId && action.customerId !== NULL_UUID ? action.customerId : user.customerId;
      const metadata: Record<string, string> = { userId: user.id, userName: user.email, userEmail: user.email };
      if (names?.firstName != null) metadata.userFirstName = names.firstName;
      if (names?.lastName != null) metadata.userLastName = names.lastName;
      if (customerId !== NULL_UUID) metadata.customerId = customerId;
      if (action.entityName !== undefined)
        Object.assign(metadata, { entityName: action.entityName, entityType: action.originator.entityType });
      Object.assign(metadata, action.metadata);
      const content = { type: action.type, originator: action.originator, customerId, metadata, data: action.data };
      await this.submit(user.tenantId, content, await this.routeOf(action.originator, action.deviceProfileId));
    });
  }

  private async routeOf(originator: EntityId, deviceProfileId?: string): Promise<MsgRoute> {
    if (originator.entityType !== 'DEVICE') return DEFAULT_ROUTE;
    const profileId =
      deviceProfileId ??
      (await this.devices.findOne({ where: { id: originator.id }, select: { id: true, deviceProfileId: true } }))?.deviceProfileId;
    return profileId ? this.deviceRoute(profileId) : DEFAULT_ROUTE;
  }

  private async reported(type: string, originatorId: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (e) {
      this.logger.warn(
        `${type} of ${originatorId} not queued, so no rule chain sees it (the change itself is saved); ` +
          `check the rule-engine queue (the data directory, or Redis when REDIS_URL is set): ${(e as Error).message}`,
      );
    }
  }
}
